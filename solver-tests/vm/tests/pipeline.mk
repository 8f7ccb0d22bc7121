# SPDX-License-Identifier: GPL-2.0
# pipeline.mk - the camera-to-display pipeline test links the example's
# camera, display and contact-sheet code (userspace/examples/pipeline),
# compiled here for the test programs' architecture.  The DRM uapi
# headers come from libdrm-dev (no library of it is linked).
CEN_PIPELINE_DIR := $(CEN_ROOT)/userspace/examples/pipeline
CEN_PIPELINE_SRCS := camera display frame_compare png contact_sheet
CEN_PIPELINE_OBJS := $(patsubst %,$(OBJ)/pipeline-%.o,$(CEN_PIPELINE_SRCS))

ifneq ($(filter pipeline,$(names)),)
$(OBJ)/pipeline-%.o: $(CEN_PIPELINE_DIR)/%.cpp $(wildcard $(CEN_PIPELINE_DIR)/*.hpp)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -I/usr/include/libdrm $(CXXFLAGS) -c -o $@ $<

$(OBJ)/pipeline.o: CPPFLAGS += -I$(CEN_PIPELINE_DIR)
$(OBJ)/pipeline.o: $(wildcard $(CEN_PIPELINE_DIR)/*.hpp)
$(OUT)/pipeline: $(CEN_PIPELINE_OBJS)
endif
