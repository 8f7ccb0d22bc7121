# SPDX-License-Identifier: GPL-2.0
# userspace.mk - the in-VM programs of userspace/ (included by Makefile).
#
# userspace_lib and userspace_tool link libcenalloc, the JSON layer and
# the constraint code statically; the lists also name static programs of
# the CMake build (build/static/<name>: the cenalloc tool, the
# camera-to-display example), which run-vm.sh packs as /tests/<name>.
# All of them come from the CMake build of the repository in $(CEN_US_BUILD), configured again (it may predate
# userspace/) and brought up to date on every run: cmake does little when
# nothing changed.  That is build/ for amd64 (what `make build`
# configures), and build/<arch> for a cross build (CEN_TARGET_ARCH=arm64:
# build/arm64, configured with CEN_US_CMAKE_ARGS from arm64.mk), so the
# tool listed as build/static/cenalloc is build/arm64/static/cenalloc there.
CEN_US_BUILD ?= $(CEN_ROOT)/build$(filter-out /amd64,/$(CEN_TARGET_ARCH))
CEN_US_CMAKE_ARGS ?=
CEN_US_PROGRAMS := userspace_lib userspace_tool
CEN_US_ARCHIVES := $(CEN_US_BUILD)/userspace/platform/libcen_platform_static.a \
	$(CEN_US_BUILD)/userspace/lib/libcenalloc.a \
	$(CEN_US_BUILD)/libcen_constraints.a
# build/static/<name> of the lists: CMake target <name>-static.
CEN_US_STATIC := $(shell sed -e 's/\#.*//' $(LISTS) | awk '{sub(/^\+/, "", $$1)} $$1 ~ /^build\/static\// {sub(/^build\/static\//, "", $$1); print $$1}' | sort -u)
CEN_US_TOOL := $(addprefix $(CEN_US_BUILD)/static/,$(sort cenalloc $(CEN_US_STATIC)))

ifneq ($(filter $(CEN_US_PROGRAMS),$(names))$(CEN_US_STATIC),)

all: $(CEN_US_TOOL)

$(CEN_US_ARCHIVES) $(CEN_US_TOOL) &: cen-us-force
	@mkdir -p $(OBJ)
	@cmake -S $(CEN_ROOT) -B $(CEN_US_BUILD) $(CEN_US_CMAKE_ARGS) \
		$$(test -f $(CEN_US_BUILD)/CMakeCache.txt || \
		   echo -DCMAKE_BUILD_TYPE=RelWithDebInfo) \
		>$(OBJ)/userspace-cmake.log 2>&1 || \
		{ cat $(OBJ)/userspace-cmake.log >&2; exit 1; }
	@cmake --build $(CEN_US_BUILD) -j $$(nproc) --target cenalloc-static \
		$(addsuffix -static,$(filter-out cenalloc,$(CEN_US_STATIC))) \
		cenalloc_static cen_platform_static cen_constraints \
		>$(OBJ)/userspace-build.log 2>&1 || \
		{ cat $(OBJ)/userspace-build.log >&2; exit 1; }

.PHONY: cen-us-force
cen-us-force:

# The worked example of this VM, compiled into userspace_tool.
$(OBJ)/vm_platform.inc: $(CEN_ROOT)/userspace/profiles/test-vm-x86_64.json
	@mkdir -p $(dir $@)
	{ echo 'R"cenjson('; cat $<; echo ')cenjson"'; } >$@

CEN_US_HEADERS := $(wildcard $(CEN_ROOT)/userspace/include/cenalloc/*.hpp \
	$(CEN_ROOT)/userspace/platform/*.hpp $(CEN_ROOT)/userspace/tests/support/*.hpp)
$(patsubst %,$(OBJ)/%.o,$(CEN_US_PROGRAMS)): $(CEN_US_HEADERS)
$(patsubst %,$(OBJ)/%.o,$(CEN_US_PROGRAMS)): CPPFLAGS += \
	-I$(CEN_ROOT)/userspace/include -I$(CEN_ROOT)/userspace/platform \
	-I$(CEN_ROOT)/userspace/tests/support -I$(OBJ)
$(OBJ)/userspace_tool.o: $(OBJ)/vm_platform.inc
# After the objects on the link line, in dependency order.
$(patsubst %,$(OUT)/%,$(CEN_US_PROGRAMS)): $(CEN_US_ARCHIVES)

endif
