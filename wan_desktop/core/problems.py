"""Problems with user input, named by field, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InvalidInputError", "Problem"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input.

    ``field`` is the API input name (``prompt``, ``image_url``, ...) so the window can mark the
    right widget; ``message`` is a full sentence for people that names the field and the limit.
    """

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


class InvalidInputError(ValueError):
    """Raised when input is refused before anything is sent or paid for."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else problems
        super().__init__("; ".join(p.message for p in self.problems))

    @property
    def fields(self) -> list[str]:
        """The input names the problems are about, in order, without repeats."""
        return list(dict.fromkeys(p.field for p in self.problems))
