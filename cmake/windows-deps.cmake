# SPDX-License-Identifier: MIT
# The dependencies of rdpscope.exe (cross build, tools/build-windows), as the
# same imported targets the Linux build gets from Debian's packages, so the rest
# of CMakeLists.txt is one build for both.
#
# RDPSCOPE_WIN_DEPS is a folder tools/build-windows fills:
#   include/  an overlay with only what the build needs from Debian's packages:
#             fmt (used header-only), nlohmann, CLI and pcap/ (headers only)
#   openssl/  libcrypto cross-built from Debian's openssl source package
#             (include/ and lib/libcrypto.a)
set(RDPSCOPE_WIN_DEPS "" CACHE PATH "Dependencies of the Windows build, prepared by tools/build-windows")
if(NOT EXISTS "${RDPSCOPE_WIN_DEPS}/include/fmt/format.h" OR NOT EXISTS "${RDPSCOPE_WIN_DEPS}/openssl/lib/libcrypto.a")
  message(FATAL_ERROR "The Windows build needs RDPSCOPE_WIN_DEPS prepared by tools/build-windows "
                      "(it was '${RDPSCOPE_WIN_DEPS}')")
endif()
set(_overlay "${RDPSCOPE_WIN_DEPS}/include")

# Windows 10 and later (Npcap's own minimum is Windows 7; VT colours need 10).
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00 NOMINMAX WIN32_LEAN_AND_MEAN)

# The pcap API: headers only.  wpcap.dll is Npcap's and is loaded at run time
# from Npcap's folder (capture/npcap_win.cpp), never imported at link time.
# ws2_32: inet_ntop for interface addresses; iphlpapi: adapters' friendly names.
add_library(PkgConfig::PCAP INTERFACE IMPORTED)
set_target_properties(PkgConfig::PCAP PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${_overlay}"
  INTERFACE_LINK_LIBRARIES "ws2_32;iphlpapi")

add_library(fmt::fmt INTERFACE IMPORTED)
set_target_properties(fmt::fmt PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${_overlay}"
  INTERFACE_COMPILE_DEFINITIONS "FMT_HEADER_ONLY=1")

add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_overlay}")

add_library(CLI11::CLI11 INTERFACE IMPORTED)
set_target_properties(CLI11::CLI11 PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_overlay}")

# libcrypto's own Windows dependencies (OpenSSL's mingw64 target: ws2_32,
# crypt32 for the system store, bcrypt for the random source).
add_library(OpenSSL::Crypto STATIC IMPORTED)
set_target_properties(OpenSSL::Crypto PROPERTIES
  IMPORTED_LOCATION "${RDPSCOPE_WIN_DEPS}/openssl/lib/libcrypto.a"
  INTERFACE_INCLUDE_DIRECTORIES "${RDPSCOPE_WIN_DEPS}/openssl/include"
  INTERFACE_LINK_LIBRARIES "ws2_32;crypt32;bcrypt;advapi32;user32")
