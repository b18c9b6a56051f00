"""The demo "ENT Hauts-de-France" portal page and its chat widget."""
