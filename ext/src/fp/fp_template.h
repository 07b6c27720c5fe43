/*
 * Names inside the float templates (*.inc).  A template is included once
 * per type by its .c file, with AC_T (float or double) and AC_SFX (f32 or
 * f64) defined; it names public functions AC__FN(op) = ac_<sfx>_<op> and
 * file-local helpers AC__LOCAL(name) = <name>_<sfx>, and undefines its
 * parameters at the end so the next type can define them again.
 */
#ifndef ATTNCORE_FP_TEMPLATE_H
#define ATTNCORE_FP_TEMPLATE_H

#define AC__CAT3_(a, b, c) a##b##c
#define AC__CAT3(a, b, c) AC__CAT3_(a, b, c)
#define AC__FN(op) AC__CAT3(ac_, AC_SFX, _##op)
#define AC__LOCAL(name) AC__CAT3(name, _, AC_SFX)

#endif /* ATTNCORE_FP_TEMPLATE_H */
