"""A stand-in for the Rasa server (REST webhook, tracker, status) with scripted replies.

Used by the portal's unit tests and by the widget tests that need no trained model:
it can be stopped and started again to show the widget's reconnection.

    python -m tests.helpers.fake_rasa PORT TOKEN
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web

RASA_TOKEN = "fake-rasa-token"  # the API token of the in-process fake in the unit tests
MARKDOWN = (
    "Pour activer votre compte :\n\n"
    "1. ouvrez **EduConnect** ;\n2. choisissez *FranceConnect*.\n\n"
    "- premier point\n- second point\n"
    "Aide : https://educonnect.education.gouv.fr/"
)
HTML = "Voici <img src=x onerror=alert(1)> et <script>alert(2)</script> et [lien](javascript:alert(3))"
BUTTONS = [
    {"title": "Parent", "payload": '/inform_role{"role":"parent"}'},
    {"title": "Directeur", "payload": '/inform_role{"role":"directeur"}'},
]
EVENTS = web.AppKey("events", dict)
TOKEN = web.AppKey("token", str)


def script(message: str, token: str | None) -> list[dict]:
    """The bot events answering a message: (text, buttons, utter_action, action name)."""
    if "silence" in message:
        return []  # Rasa answering nothing (as its REST channel does when a turn fails)
    if message == "/greet":
        return [
            bot("Bonjour ! Que souhaitez-vous savoir ?", [{"title": "Vous êtes ?", "payload": "qui suis-je"}])
        ]
    if message.startswith('/inform_role{"role":"parent"}'):
        return [
            action("action_set_role"),
            bot("C'est noté : vous êtes parent."),
            bot("Réponse pour un parent.", key="utter_faq/role"),
        ]
    if "markdown" in message:
        return [action("utter_faq"), bot(MARKDOWN, key="utter_faq/activer_compte")]
    if "html" in message:
        return [action("utter_faq"), bot(HTML, key="utter_faq/html")]
    if "qui suis-je" in message:
        return [
            action("utter_faq"),
            bot("Vous êtes : parent, enseignant, directeur ?", BUTTONS, key="utter_faq/role"),
        ]
    if message == "/handoff_request":
        return [
            action("action_handoff_offer"),
            bot(
                f"Une personne peut prendre le relais (jeton : {'oui' if token else 'non'}).",
                [{"title": "Transmettre ma question à la direction de l'école", "payload": "/handoff_start"}],
            ),
        ]
    if "live" in message:
        return [
            action("action_live_class_pupils"),
            bot(f"Réponse en direct (jeton : {'oui' if token else 'non'})."),
        ]
    return [action("action_default_fallback"), bot(f"Je n'ai pas compris : {message}")]


def action(name: str) -> dict:
    return {"event": "action", "name": name}


def bot(text: str, buttons: list | None = None, key: str | None = None) -> dict:
    return {
        "event": "bot",
        "text": text,
        "data": {"buttons": buttons},
        "metadata": {"utter_action": key} if key else {},
    }


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello from Rasa: 3.6.21")


async def webhook(request: web.Request) -> web.Response:
    body = await request.json()
    if "lent" in body["message"]:
        await asyncio.sleep(1.5)  # a slow answer, to see the typing indicator
    token = (body.get("metadata") or {}).get("ent_token")
    events = request.app[EVENTS].setdefault(body["sender"], [])
    replies = script(body["message"], token)
    events += [{"event": "user", "text": body["message"], "metadata": body.get("metadata") or {}}, *replies]
    out = []
    for event in (e for e in replies if e["event"] == "bot"):
        parts = event["text"].split("\n\n")  # like Rasa's channels
        out += [{"recipient_id": body["sender"], "text": part} for part in parts]
        if event["data"]["buttons"]:
            out[-1]["buttons"] = event["data"]["buttons"]
    return web.json_response(out)


async def tracker(request: web.Request) -> web.Response:
    if request.query.get("token") != request.app[TOKEN]:
        return web.json_response({"status": "failure", "reason": "NotAuthenticated"}, status=401)
    events = request.app[EVENTS].get(request.match_info["sender"], [])
    return web.json_response({"sender_id": request.match_info["sender"], "events": events})


def make_app(token: str = RASA_TOKEN) -> web.Application:
    app = web.Application()
    app[EVENTS] = {}
    app[TOKEN] = token
    app.router.add_get("/", hello)
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/conversations/{sender}/tracker", tracker)
    return app


if __name__ == "__main__":
    web.run_app(make_app(sys.argv[2]), host="127.0.0.1", port=int(sys.argv[1]), print=None)
