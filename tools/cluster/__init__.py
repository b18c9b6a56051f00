"""The assistant as a cluster on 127.0.0.1: Rasa replicas behind haproxy, Redis locks, PostgreSQL.

`make cluster` (python -m tools.cluster), `make test-cluster` (tests/cluster), `make bench-cluster`
(python -m tools.cluster.bench). Production picture: docs/deploy.md.
"""
