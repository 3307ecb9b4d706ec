# SPDX-License-Identifier: MIT
# Toolchain for rdpscope.exe: Debian's mingw-w64, x86-64, POSIX thread model
# (std::thread and std::mutex come from winpthreads, linked in statically).
# Used by tools/build-windows; see README "Windows".
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)

# Headers and libraries come from the MinGW sysroot and the folders
# tools/build-windows prepares (RDPSCOPE_WIN_DEPS), never from /usr: glibc's
# headers and Linux libraries must not leak into a Windows build.
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# One self-contained .exe: libstdc++, libgcc and winpthreads linked in, so no
# MinGW runtime DLL has to be found next to it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
