# Guest programs for the QEMU test VM (tests/vm/, see its README.md).
#
# nvfio_add_vm_test(<name> SOURCES <src...> [LIBS <lib...>] [MODES <iommu|noiommu|kernel>...]
#                   [CONFIGS <config>...] [TIMEOUT <seconds>] [FILES <host-file>...])
# Builds <name> like nvfio_add_test does (against nvfio_static, include directories the project
# root and tests/) and records it; tests/vm/CMakeLists.txt, processed after every test folder,
# boots the VM once per (mode, config) any program asked for and registers the CTest test
# vm.<mode>.<config>.<name> for each program. In the guest the program runs as
# `<name> <pci-address>` with NVFIO_VM_* in its environment and a writable tmpfs as its working
# directory; it exits 0 pass, 1 fail, 77 skip. MODES defaults to iommu noiommu, CONFIGS to
# default (a file in tests/vm/configs/), TIMEOUT (its limit inside the guest) to 120. FILES are
# more host files the program needs in the guest (another program it runs, a plugin; generator
# expressions allowed): they are listed in <program>.files next to it, and tests/vm/run puts each
# at the same path in the guest, with the shared libraries ldd finds for it.

set(NVFIO_VM_ALL_MODES iommu noiommu kernel)

function(nvfio_add_vm_test name)
	cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;MODES;CONFIGS;FILES" ${ARGN})
	if(T_UNPARSED_ARGUMENTS)
		message(FATAL_ERROR "nvfio_add_vm_test(${name}): unknown arguments ${T_UNPARSED_ARGUMENTS}")
	endif()
	if(NOT T_SOURCES)
		message(FATAL_ERROR "nvfio_add_vm_test(${name}): SOURCES is required")
	endif()
	if(NOT T_MODES)
		set(T_MODES iommu noiommu)
	endif()
	if(NOT T_CONFIGS)
		set(T_CONFIGS default)
	endif()
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 120)
	endif()
	if(NOT T_TIMEOUT MATCHES "^[1-9][0-9]*$")
		message(FATAL_ERROR "nvfio_add_vm_test(${name}): TIMEOUT must be a number of seconds")
	endif()
	foreach(mode ${T_MODES})
		if(NOT mode IN_LIST NVFIO_VM_ALL_MODES)
			message(FATAL_ERROR "nvfio_add_vm_test(${name}): unknown mode '${mode}' (${NVFIO_VM_ALL_MODES})")
		endif()
	endforeach()
	foreach(config ${T_CONFIGS})
		if(NOT EXISTS ${PROJECT_SOURCE_DIR}/tests/vm/configs/${config})
			message(FATAL_ERROR "nvfio_add_vm_test(${name}): no VM config '${config}' in tests/vm/configs/")
		endif()
	endforeach()

	add_executable(${name} ${T_SOURCES})
	target_link_libraries(${name} PRIVATE nvfio_static nvfio_internal_includes ${T_LIBS})
	target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
	if(T_FILES)
		list(JOIN T_FILES "\n" files)
		file(GENERATE OUTPUT "$<TARGET_FILE:${name}>.files" CONTENT "${files}\n")
	endif()

	set_property(GLOBAL APPEND PROPERTY NVFIO_VM_TESTS ${name})
	set_property(GLOBAL PROPERTY NVFIO_VM_TEST_${name}_MODES ${T_MODES})
	set_property(GLOBAL PROPERTY NVFIO_VM_TEST_${name}_CONFIGS ${T_CONFIGS})
	set_property(GLOBAL PROPERTY NVFIO_VM_TEST_${name}_TIMEOUT ${T_TIMEOUT})
endfunction()
