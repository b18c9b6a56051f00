"""Mock ENT backend: models, database, demo seed and the service in front of them."""
