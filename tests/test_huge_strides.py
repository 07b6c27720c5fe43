"""Issue 17 item 4: row strides that do not fit a C int (BLAS leading
dimensions were cast to int: a stride of 2**32 + 64 elements gave wrong
numbers, 2**31 uninitialised output).  Operands are views of a sparse
memory-mapped file (only the touched pages exist); the result must equal
the contiguous call bit for bit, for every operand position and both the
small-matrix and the GEMM paths (the last shape was BLAS-sized before)."""
import sys

import numpy as np
import pytest

import attncore
from attncore import fp, q16

pytestmark = pytest.mark.skipif(sys.maxsize < 2**62, reason="needs a 64-bit address space")

STRIDES = [2**32 + 64, 2**31]


@pytest.fixture
def sparse(tmp_path):
    """sparse(values, row_stride): a view of ``values`` (2-D) whose rows are
    ``row_stride`` elements apart in a sparse file."""
    made = []

    def make(values, row_stride):
        rows, cols = values.shape
        n = (rows - 1) * row_stride + cols
        path = tmp_path / f"sparse{len(made)}.bin"
        try:
            mm = np.memmap(path, dtype=values.dtype, mode="w+", shape=(n,))
        except (OSError, ValueError) as exc:
            pytest.skip(f"no sparse file of {n * values.itemsize} bytes here: {exc}")
        made.append(mm)
        view = np.lib.stride_tricks.as_strided(
            mm, shape=(rows, cols), strides=(row_stride * values.itemsize, values.itemsize))
        view[...] = values
        assert view.strides[0] // view.itemsize == row_stride
        return view

    yield make
    for mm in made:
        mm._mmap.close()


@pytest.mark.parametrize("row_stride", STRIDES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m, k, n", [(3, 4, 4), (6, 64, 16), (2, 300, 40), (8, 128, 64)])
def test_fp_matmul_huge_row_strides(row_stride, dtype, m, k, n, sparse, rng):
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    want = fp.matmul(a, b)
    np.testing.assert_array_equal(fp.matmul(sparse(a, row_stride), b), want)
    np.testing.assert_array_equal(fp.matmul(a, sparse(b, row_stride)), want)
    # B^T stored with huge rows: B's columns are huge-strided
    bt = sparse(np.ascontiguousarray(b.T), row_stride)
    np.testing.assert_array_equal(fp.matmul(a, bt.T), want)


@pytest.mark.parametrize("row_stride", STRIDES)
def test_q16_matmul_huge_row_strides(row_stride, sparse, rng):
    a = q16.from_float(rng.uniform(-4, 4, (5, 40)))
    b = q16.from_float(rng.uniform(-4, 4, (40, 7)))
    want = q16.matmul(a, b)
    np.testing.assert_array_equal(q16.matmul(sparse(a, row_stride), sparse(b, row_stride)),
                                  want)


@pytest.mark.parametrize("row_stride", STRIDES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fp_attention_huge_row_strides(row_stride, dtype, sparse, rng):
    q = rng.standard_normal((3, 16)).astype(dtype)
    k = rng.standard_normal((5, 16)).astype(dtype)
    v = rng.standard_normal((5, 8)).astype(dtype)
    for causal in (False, True):
        want = fp.scaled_dot_product_attention(q, k, v, is_causal=causal)
        got = fp.scaled_dot_product_attention(sparse(q, row_stride), sparse(k, row_stride),
                                              sparse(v, row_stride), is_causal=causal)
        np.testing.assert_array_equal(got, want)


def test_huge_strides_reach_the_kernel_uncopied(sparse, rng):
    """The views above are not copied on the way in (else they would not
    test the kernels): the kernel reads the mapped file itself."""
    a = rng.standard_normal((2, 8)).astype(np.float32)
    view = sparse(a, 2**32 + 64)
    from attncore._api import arrays
    (converted,), _ = arrays.convert("fp", "fp.matmul", (view,), ("a",))
    assert converted.strides == view.strides
    assert np.shares_memory(converted, view)
    assert attncore.matmul(view, np.eye(8, dtype=np.float32)).tolist() == a.tolist()
