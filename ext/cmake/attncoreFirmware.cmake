# attncore_add_firmware(<target> SOURCES <c files...> [BOARD mps2_an386|microbit]
#                       [STACK_MIN <bytes>])
#
# A bare-metal Cortex-M image of <target> linked with attncore: the start-up
# code (vector table, .data copy, .bss clear, stack painting), the board's
# linker script (.ARM.exidx and .data placed, a minimum stack checked at
# link time) and semihosting output, from ATTNCORE_FIRMWARE_DIR.  After the
# link it prints the image size (arm-none-eabi-size) and, when Python 3 is
# there, the static worst-case stack from GCC's call-graph files; the image
# prints its measured deepest stack itself.  With qemu-system-arm, it is
# also a CTest test (exit status from semihosting).
#
# Boards are QEMU's: mps2_an386 (Cortex-M4, 4 MiB + 4 MiB) and microbit
# (nRF51, Cortex-M0, 256 KiB flash, 16 KiB RAM).  Another board: add
# firmware/arm/<board>.ld with its MEMORY and `INCLUDE cortex_m.ld`.
if(NOT DEFINED ATTNCORE_FIRMWARE_DIR)
  # installed package: the files are under share/attncore/firmware
  get_filename_component(_ac_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
  set(ATTNCORE_FIRMWARE_DIR "${_ac_prefix}/share/attncore/firmware")
endif()

function(attncore_add_firmware target)
  cmake_parse_arguments(FW "" "BOARD;STACK_MIN" "SOURCES" ${ARGN})
  if(NOT FW_BOARD)
    set(FW_BOARD mps2_an386)
  endif()
  set(dir ${ATTNCORE_FIRMWARE_DIR})
  add_executable(${target} ${FW_SOURCES} ${dir}/arm/startup_cm.c ${dir}/semihost.c)
  set_target_properties(${target} PROPERTIES SUFFIX ".elf" C_STANDARD 99)
  target_include_directories(${target} PRIVATE ${dir})
  target_link_libraries(${target} PRIVATE attncore::attncore)
  target_compile_options(${target} PRIVATE -ffreestanding -ffunction-sections -fdata-sections
                         -fno-tree-loop-distribute-patterns -fstack-usage
                         $<$<C_COMPILER_ID:GNU>:-fcallgraph-info=su>)
  set(stack_min "")
  if(FW_STACK_MIN)
    set(stack_min "-Wl,--defsym=__stack_min=${FW_STACK_MIN}")
  endif()
  target_link_options(${target} PRIVATE -nostdlib -nostartfiles "-L${dir}/arm" -T ${FW_BOARD}.ld
                      -Wl,--gc-sections "-Wl,-Map=$<TARGET_FILE:${target}>.map" ${stack_min})
  target_link_libraries(${target} PRIVATE gcc)

  string(REGEX REPLACE "gcc(\\.exe)?$" "size\\1" size_tool "${CMAKE_C_COMPILER}")
  find_package(Python3 COMPONENTS Interpreter QUIET)
  set(report "")
  if(Python3_FOUND AND EXISTS "${ATTNCORE_STACK_TOOL}")
    set(report COMMAND ${Python3_EXECUTABLE} ${ATTNCORE_STACK_TOOL} --root main ${CMAKE_BINARY_DIR})
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E echo "${target}: image size (bytes), board ${FW_BOARD}"
    COMMAND ${size_tool} $<TARGET_FILE:${target}>
    COMMAND ${CMAKE_COMMAND} -E echo "${target}: static worst-case stack from main (call graph):"
    ${report}
    VERBATIM)

  string(REPLACE "_" "-" machine "${FW_BOARD}") # QEMU's machine name: mps2-an386, microbit
  find_program(ATTNCORE_QEMU_ARM qemu-system-arm)
  if(ATTNCORE_QEMU_ARM)
    add_test(NAME ${target}.qemu
             COMMAND ${ATTNCORE_QEMU_ARM} -M ${machine} -nographic
                     -monitor none -serial none -semihosting-config enable=on,target=native
                     -kernel $<TARGET_FILE:${target}>)
  endif()
endfunction()
