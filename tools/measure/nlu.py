"""The compared NLU pipelines, trained and queried on exactly the same data.

Rasa pipelines are trained and queried in a fresh process each time (TensorFlow
keeps memory between trainings); the TF-IDF + logistic regression floor runs here.
Every pipeline's answer comes back as a Rasa-like parse result, so that
tools.measure.scoring.predict/score treat them all alike.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge_data import NLU_DIR, RESPONSES_DIR
from bot.nlu import RETRIEVAL_INTENT
from bot.privacy import ENTITY_MARKUP


@dataclass(frozen=True)
class Example:
    """One training example: the line as written (entity markup kept), its plain text, its label."""

    raw: str
    text: str
    label: str  # full intent name, e.g. `faq/liberer_espace` or `greet`


def plain(raw: str) -> str:
    """'je suis [parent](role)' -> 'je suis parent'."""
    return ENTITY_MARKUP.sub(r"\1", raw)


def _blocks(folder: Path = NLU_DIR) -> list[dict[str, Any]]:
    return [
        block
        for path in sorted(folder.glob("*.yml"))
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", [])
    ]


def load_examples(folder: Path = NLU_DIR) -> list[Example]:
    """Every training example of data/nlu, in file order."""
    out = []
    for block in _blocks(folder):
        if "intent" in block:
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    raw = line.strip()[2:].strip()
                    out.append(Example(raw, plain(raw), block["intent"]))
    return out


def write_training_data(folder: Path, examples: list[Example]) -> Path:
    """A Rasa NLU data folder with these examples, the synonyms/regexes/lookups and the answers."""
    folder.mkdir(parents=True, exist_ok=True)
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example.label, []).append(example.raw)
    nlu: list[dict[str, Any]] = [
        {"intent": intent, "examples": "".join(f"- {raw}\n" for raw in raws)}
        for intent, raws in by_intent.items()
    ]
    nlu += [block for block in _blocks() if "intent" not in block]  # synonym, regex, lookup
    (folder / "nlu.yml").write_text(
        yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for path in sorted(RESPONSES_DIR.glob("*.yml")):
        shutil.copy(path, folder / f"responses_{path.name}")
    return folder


def scaled_config(config: Path, epochs_scale: float, folder: Path) -> Path:
    """A copy of a Rasa config with the NLU components' epochs multiplied by `epochs_scale`."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for component in data.get("pipeline") or []:
        if component.get("name") in ("DIETClassifier", "ResponseSelector"):
            epochs = component.get("epochs", 300)  # 300: Rasa's default for both
            component["epochs"] = max(1, round(epochs * epochs_scale))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{config.stem}-x{epochs_scale:g}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def nlu_epochs(config: Path) -> dict[str, int]:
    """Epochs of DIET and the ResponseSelector in a config, for the record."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    trained = ("DIETClassifier", "ResponseSelector")
    return {c["name"]: c.get("epochs", 300) for c in data.get("pipeline") or [] if c["name"] in trained}


# --- Rasa, in a child process -------------------------------------------------------
def _quiet_rasa() -> None:
    """Silence Rasa and TensorFlow in a child process (before they are imported)."""
    import logging
    import warnings

    os.environ.update(
        LOG_LEVEL="WARNING",
        TF_CPP_MIN_LOG_LEVEL="3",
        RASA_TELEMETRY_ENABLED="false",
        RASA_MAX_CACHE_SIZE="0",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    from rasa.utils.log_utils import configure_structlog  # Rasa 3.6 logs each parse with structlog

    configure_structlog(logging.WARNING)


def _trim(parse: dict[str, Any]) -> dict[str, Any]:
    """Keep only what tools.measure.scoring.predict reads."""
    return {key: parse.get(key) for key in ("intent", "intent_ranking", "response_selector")}


def parse_texts(model: str, texts: list[str]) -> list[dict[str, Any]]:
    """Parse texts with a trained model (run it in a child process)."""
    _quiet_rasa()
    import asyncio

    from rasa.core.agent import Agent

    async def run() -> list[dict[str, Any]]:
        agent = Agent.load(model)
        return [_trim(await agent.parse_message(text)) for text in texts]

    return asyncio.run(run())


def train_quietly(config: str, data: str, workdir: str) -> tuple[str, float]:
    """Train an NLU model on `data` with `config` without Rasa's output; its path and the seconds taken."""
    _quiet_rasa()
    from rasa.model_training import train_nlu

    start = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()):
        model = train_nlu(config, data, workdir, fixed_model_name="nlu")
    train_seconds = time.monotonic() - start
    if not model:
        raise RuntimeError(f"training failed: {config} on {data}")
    return model, train_seconds


def train_and_parse(
    config: str, data: str, workdir: str, texts_by_set: dict[str, list[str]]
) -> dict[str, Any]:
    """Train an NLU model on `data` with `config`, then parse each set of texts (child process)."""
    model, train_seconds = train_quietly(config, data, workdir)
    flat = [text for texts in texts_by_set.values() for text in texts]
    parses = iter(parse_texts(model, flat))
    return {
        "train_seconds": train_seconds,
        "parses": {name: [next(parses) for _ in texts] for name, texts in texts_by_set.items()},
    }


def isolated(function: Callable[..., Any], *args: Any, tick: Callable[[], None] | None = None) -> Any:
    """Run `function(*args)` in a fresh Python process; call `tick` every second meanwhile."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(function, *args)
        while not future.done():
            time.sleep(1)
            if tick:
                tick()
        return future.result()


# --- the floor: TF-IDF + logistic regression ---------------------------------------
class TfidfBaseline:
    """Word TF-IDF (1-2 grams) and a logistic regression over the full labels (faq/<key>, intents)."""

    def __init__(self, seed: int) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.model = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            LogisticRegression(C=10.0, max_iter=2000, random_state=seed),
        )

    def fit(self, examples: list[Example]) -> TfidfBaseline:
        """Train on the examples."""
        self.model.fit([e.text for e in examples], [e.label for e in examples])
        return self

    def parse(self, texts: list[str]) -> list[dict[str, Any]]:
        """Rasa-like parse results (no fallback: the floor always answers)."""
        labels = list(self.model.classes_)
        out = []
        for probabilities in self.model.predict_proba(texts):
            ranked = sorted(zip(labels, probabilities, strict=True), key=lambda pair: -pair[1])
            best, confidence = ranked[0]
            answers = [(label, p) for label, p in ranked if "/" in label]
            out.append(
                {
                    "intent": {"name": best.split("/")[0], "confidence": float(confidence)},
                    "intent_ranking": [{"name": best.split("/")[0], "confidence": float(confidence)}],
                    "response_selector": {
                        RETRIEVAL_INTENT: {
                            "response": {"confidence": float(answers[0][1]) if answers else 0.0},
                            "ranking": [
                                {"intent_response_key": label, "confidence": float(p)}
                                for label, p in answers[:10]
                            ],
                        }
                    },
                }
            )
        return out
