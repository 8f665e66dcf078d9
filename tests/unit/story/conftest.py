from tests.fakes.openai_fixtures import hermetic_settings

__all__ = ["hermetic_settings"]
