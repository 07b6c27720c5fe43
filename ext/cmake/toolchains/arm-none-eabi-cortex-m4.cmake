# Cortex-M4 without FPU use (soft float), bare metal: cmake -DCMAKE_TOOLCHAIN_FILE=this
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m4)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft")
# CMake's GNU default for Release is -O3, which unrolls the core's loops into
# twice the flash; firmware builds it -O2 (MinSizeRel: -Os)
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "C flags of Release builds")
set(AC_FIRMWARE_BOARD mps2_an386 CACHE STRING "QEMU board of attncore_add_firmware images")
