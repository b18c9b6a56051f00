"""The assistant's runtime and tools: NLU components, channels, the mock ENT backend, measurements."""
