"""Exceptions raised by attncore (the C core reports; Python raises)."""
import numpy as np

__all__ = ["Q16OverflowError", "SingularMatrixError", "NotPositiveDefiniteError"]


class Q16OverflowError(OverflowError):
    """A Q16.16 result did not fit in int32 under ``overflow="raise"``.

    Attributes
    ----------
    kernel : str
        The attncore function that overflowed, e.g. ``"q16.mul"``.
    index : tuple of int
        Index of the first offending element in the (broadcast) output.
    """

    def __init__(self, kernel, index, detail=""):
        self.kernel = kernel
        self.index = tuple(index)
        where = f" at index {self.index}" if self.index else ""
        super().__init__(
            f"{kernel}: result out of Q16.16 range{where}{detail}; "
            "pass overflow='saturate' to clamp or overflow='wrap' for two's complement"
        )


class SingularMatrixError(np.linalg.LinAlgError):
    """A matrix had a zero pivot at working precision (message names the batch indices)."""


class NotPositiveDefiniteError(np.linalg.LinAlgError):
    """Cholesky found a non-positive pivot: the matrix is not positive definite."""
