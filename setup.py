"""Build: the C99 core as a static library with strict warnings, and the
Cython extensions linked against it.  ``pip install .`` runs all of it.

Threads come from attncore's own runtime (src/attncore/_kernels/pool.c,
pthreads), compiled into the `runtime` extension alone so a process has one
pool; no OpenMP and no BLAS.

ATTNCORE_CYTHON_CHECKS=1 turns Cython's bounds/wraparound checks back on
for debugging.
"""
import os
from glob import glob

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

CORE_INCLUDE = "ext/include"
# src/q16: Q16.16 kernels (integer only); src/fp: float kernels and conversions
CORE_SOURCES = sorted(glob("ext/src/q16/*.c") + glob("ext/src/fp/*.c"))
CORE_HEADERS = sorted(glob("ext/include/attncore/*.h") + glob("ext/src/*/*.h")
                      + glob("ext/src/*/*.inc"))
# -fno-trapping-math: no code here reads floating-point exception flags, and
# without it GCC will not turn the selects of the float exp into vector code.
CORE_FLAGS = ["-std=c99", "-O3", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow",
              "-fno-trapping-math", "-fno-math-errno"]
KERNELS = "src/attncore/_kernels"
EXT_FLAGS = ["-O3", "-Wall", "-pthread"]
EXT_LINK = ["-pthread"]
DEBUG_CHECKS = os.environ.get("ATTNCORE_CYTHON_CHECKS") == "1"

core = (
    "attncore_core",
    {
        "sources": CORE_SOURCES,
        "include_dirs": [CORE_INCLUDE],
        "cflags": CORE_FLAGS,
        # rebuild every object when a header changes (inline arithmetic lives there)
        "obj_deps": {"": CORE_HEADERS},
    },
)


def extension(name, c_sources=()):
    return Extension(
        f"attncore._kernels.{name}",
        sources=[f"{KERNELS}/{name}.pyx", *c_sources],
        depends=CORE_HEADERS + [f"{KERNELS}/pool.h"],
        include_dirs=[numpy.get_include(), CORE_INCLUDE, KERNELS],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
        extra_compile_args=EXT_FLAGS,
        extra_link_args=EXT_LINK,
    )


setup(
    libraries=[core],
    ext_modules=cythonize(
        [extension("runtime", [f"{KERNELS}/pool.c"])]
        + [extension(name) for name in ("core", "elementwise", "matmul", "softmax", "attention",
                                        "linalg")],
        compiler_directives={
            "language_level": 3,
            "boundscheck": DEBUG_CHECKS,
            "wraparound": DEBUG_CHECKS,
            "cdivision": True,
            "embedsignature": True,
        },
    ),
)
