"""What the public functions of attncore.fp and attncore.q16 share: operand
validation and conversion, broadcasting, masks, ``out=``, and the one table
from the kernels' C statuses to exceptions.  Calls only down, into
attncore._kernels; the public modules are docstrings over these calls."""
