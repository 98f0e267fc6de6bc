# Test helpers. Each test is a small executable: exit 0 pass, 1 fail, 77 skip (say why on stdout).
#
# nvfio_add_test(<name> LABEL <unit|sim> SOURCES <src...> [LIBS <lib...>] [ARGS <arg...>]
#                [TIMEOUT <seconds>])
# Builds <name> against the static library (so internal functions can be tested too) and
# registers the CTest test "<label>.<name>".
function(nvfio_add_test name)
	cmake_parse_arguments(T "" "LABEL;TIMEOUT" "SOURCES;LIBS;ARGS" ${ARGN})
	if(NOT T_LABEL)
		message(FATAL_ERROR "nvfio_add_test(${name}): LABEL is required")
	endif()
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 120)
	endif()
	add_executable(${name} ${T_SOURCES})
	target_link_libraries(${name} PRIVATE nvfio_static nvfio_internal_includes ${T_LIBS})
	target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
	add_test(NAME ${T_LABEL}.${name} COMMAND ${name} ${T_ARGS})
	set_tests_properties(${T_LABEL}.${name} PROPERTIES LABELS ${T_LABEL} SKIP_RETURN_CODE 77
		TIMEOUT ${T_TIMEOUT})
endfunction()
