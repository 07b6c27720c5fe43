"""Real models run on attncore kernels (optional dependencies, imported on
use): :mod:`attncore.models.minilm`."""
