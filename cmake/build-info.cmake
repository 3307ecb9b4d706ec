# SPDX-License-Identifier: MIT
# What `rdpscope --version` says about the build: the project version (from
# project() in CMakeLists.txt) and the git commit the binary was built from.
#
# Included from CMakeLists.txt it adds a target that runs this same file in
# script mode (cmake -P) at every build, so the commit is the one checked out
# when the binary was linked, not when CMake was configured.  The generated
# source is rewritten only when its text changes: a build with no new commit
# recompiles nothing.  Outside a git checkout (a source tarball, no git) the
# commit is "unknown"; a tree with uncommitted changes to tracked files gets
# "-modified" after the hash, so such a binary is never taken for the commit.

if(CMAKE_SCRIPT_MODE_FILE)
  # Script mode: SRC (source dir), OUT (file to write), VERSION.
  set(commit unknown)
  find_program(GIT git)
  if(GIT)
    # Only the checkout SRC is the top of: a tarball unpacked inside some other
    # work tree must not take that tree's commit.
    execute_process(COMMAND ${GIT} -C ${SRC} rev-parse --show-toplevel
                    OUTPUT_VARIABLE top RESULT_VARIABLE rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(rc EQUAL 0)
      file(REAL_PATH "${top}" top)
      file(REAL_PATH "${SRC}" src_real)
    endif()
    if(rc EQUAL 0 AND top STREQUAL src_real)
      execute_process(COMMAND ${GIT} -C ${SRC} rev-parse --verify HEAD
                      OUTPUT_VARIABLE head RESULT_VARIABLE rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      if(rc EQUAL 0 AND head MATCHES "^[0-9a-f]+$")
        set(commit ${head})
        # --no-optional-locks: a build never writes the repository's index.
        execute_process(COMMAND ${GIT} --no-optional-locks -C ${SRC} status --porcelain --untracked-files=no
                        OUTPUT_VARIABLE changes RESULT_VARIABLE rc ERROR_QUIET)
        if(rc EQUAL 0 AND NOT changes STREQUAL "")
          string(APPEND commit "-modified")
        endif()
      endif()
    endif()
  endif()
  set(text "// Generated at build time by cmake/build-info.cmake; do not edit.
#include \"cli/version.hpp\"

namespace rdpscope::cli {
const char* const kVersion = \"${VERSION}\";
const char* const kGitCommit = \"${commit}\";
}  // namespace rdpscope::cli
")
  set(old "")
  if(EXISTS "${OUT}")
    file(READ "${OUT}" old)
  endif()
  if(NOT old STREQUAL text)
    file(WRITE "${OUT}" "${text}")
  endif()
  return()
endif()

set(RDPSCOPE_BUILD_INFO ${CMAKE_BINARY_DIR}/generated/build_info.cpp)
add_custom_target(rdpscope_build_info
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DOUT=${RDPSCOPE_BUILD_INFO}
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_CURRENT_LIST_FILE}
  BYPRODUCTS ${RDPSCOPE_BUILD_INFO}
  COMMENT "rdpscope --version: project version and git commit"
  VERBATIM)
target_sources(rdpscope PRIVATE ${RDPSCOPE_BUILD_INFO})
add_dependencies(rdpscope rdpscope_build_info)
