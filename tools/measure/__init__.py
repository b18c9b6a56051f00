"""Measurements of the assistant: `make eval`, `make bench`, `make report` (see docs/measuring.md).

- eval.py   how well it understands: held-out set, cross-validation, three pipelines
- bench.py  how fast and how big: training, start-up, latency, throughput, memory
- report.py what it fails to answer: from the conversation history and the feedback votes

They write results/ and never fail on a figure, except `eval --check`.
"""
