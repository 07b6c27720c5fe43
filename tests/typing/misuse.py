"""Calls that must NOT type-check: each line marked ``# E`` must get a mypy
error, and no other line (tests/test_typing.py): the stubs have teeth.  One
statement per line, so that mypy reports each error on its marked line."""
import numpy as np

import attncore
from attncore import fp, q16

q16.mul([1], [2], rounding="up")  # E: not a rounding mode
q16.add([1], [2], rounding="nearest")  # E: add takes no rounding
fp.solve(np.eye(2), np.ones(2), assume_a="sym")  # E: "gen" or "pos"
attncore.set_num_threads("4")  # E: an int
fp.softmax([1.0], -1, None)  # E: mask is keyword-only
fp.affine_inverse(np.eye(4), kind="projective")  # E: "affine" or "rigid"
q16.softmax(q16.from_float([1.0, 2.0]), overflow="raise")  # E: softmax never overflows
q16.exp(q16.from_float(20.0), overflow="wrap")  # E: exp does not wrap
total: str = attncore.get_num_threads()  # E: returns an int
q16.errstate(saturation="loud")  # E: "ignore", "warn" or "raise"
q16.errstate("ignore")  # E: saturation is keyword-only
q16.seterr(saturation=True)  # E: a mode, not a flag
sign, logabsdet, extra = fp.slogdet(np.eye(2))  # E: a (sign, logabsdet) pair
fp.slogdet(np.eye(2)).det  # E: no such field
factor = q16.lu_factor(q16.from_float(np.eye(2)))
q16.lu_solve((factor[0], factor[1]), [1, 2])  # E: a plain tuple is refused: pass the LUFactor
q16.cho_solve(q16.lu_factor(q16.from_float(np.eye(2))), [1, 2])  # E: an LU factor is not a ChoFactor
fp.scaled_dot_product_attention(np.ones((4, 2, 2)), np.ones((2, 2, 2)), np.ones((2, 2, 2)), gqa=True)  # E: the keyword is enable_gqa
fp.multi_head_attention(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 4)), np.eye(4), np.eye(4), np.eye(4), np.eye(4), 2, padding_mask=[True, False, False])  # E: the keyword is key_padding_mask
