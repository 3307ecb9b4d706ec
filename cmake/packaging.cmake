# SPDX-License-Identifier: MIT
# Installing rdpscope, and its packages (issue 20).
#
# Two install components:
#   rdpscope  the FHS layout of `cmake --install` and of the .deb: bin/rdpscope,
#             the man page (made from --help by tools/make-manpage with
#             help2man, at install time), share/doc/rdpscope (README, LICENSE,
#             THIRD-PARTY.md and the notices of the libraries compiled in).
#   zip       a flat folder for the Windows zip: rdpscope.exe, README.md,
#             LICENSE.txt, THIRD-PARTY.md, CAPTURING.md (the README's "Capturing
#             on Windows"), third-party/ (the notices of everything linked
#             statically into the .exe).  Not part of a plain install.
#
#   cpack -G DEB   (Linux build)          rdpscope_VERSION_ARCH.deb, Depends from
#                                         dpkg-shlibdeps, never typed by hand
#   cpack -G ZIP   (Windows cross build)  rdpscope-VERSION-windows-x86_64.zip
#
# tools/package runs both; cmake/CPackProjectConfig.cmake.in picks the
# component per generator.
include(GNUInstallDirs)

option(RDPSCOPE_MANPAGE "Install the man page (needs help2man at install time)" ON)

# --- component rdpscope: the FHS layout --------------------------------------
install(TARGETS rdpscope RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT rdpscope)
set(RDPSCOPE_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/rdpscope)
install(FILES README.md LICENSE THIRD-PARTY.md DESTINATION ${RDPSCOPE_DOCDIR} COMPONENT rdpscope)

# The man page is made from the binary's own --help (tools/make-manpage), so it
# cannot disagree with it; a cross-built binary cannot run here, and Windows
# has no man.  Made at install time: a build needs no help2man, an install
# (and so cpack) does, and fails saying so.
if(RDPSCOPE_MANPAGE AND NOT CMAKE_CROSSCOMPILING)
  install(CODE "
    string(RANDOM LENGTH 10 _rdpscope_r)
    set(_rdpscope_man \"${CMAKE_BINARY_DIR}/man-\${_rdpscope_r}/rdpscope.1.gz\")
    execute_process(COMMAND bash \"${CMAKE_SOURCE_DIR}/tools/make-manpage\" \"$<TARGET_FILE:rdpscope>\" \"\${_rdpscope_man}\"
                    RESULT_VARIABLE _rdpscope_rc)
    if(NOT _rdpscope_rc EQUAL 0)
      message(FATAL_ERROR \"the man page could not be made (tools/make-manpage, above); \"
                          \"install help2man, or configure with -DRDPSCOPE_MANPAGE=OFF\")
    endif()
    file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1\" TYPE FILE
         FILES \"\${_rdpscope_man}\")
    file(REMOVE_RECURSE \"${CMAKE_BINARY_DIR}/man-\${_rdpscope_r}\")
  " COMPONENT rdpscope)
endif()

# Notices of code compiled into the binary.  name|file: the Debian copyright
# files of the packages the code came from, installed as third-party/NAME.txt.
# A notice that is missing on this machine (not Debian) is left out with a
# warning; the package tests check the .deb's and the zip's are all there.
#   .deb: CLI11 and nlohmann-json are header-only, so their code is in the
#   binary; libpcap, OpenSSL and fmt are shared libraries of their own Debian
#   packages, which carry their notices.
set(RDPSCOPE_DEB_NOTICES
    "CLI11|/usr/share/doc/libcli11-dev/copyright"
    "nlohmann-json|/usr/share/doc/nlohmann-json3-dev/copyright")
#   zip: the .exe is linked statically (issue 19, tools/build-windows): fmt
#   header-only, libcrypto from Debian's openssl source (Apache-2.0, whose text
#   must go along), the MinGW-w64 runtime and winpthreads, GCC's runtime; the
#   pcap headers only (wpcap.dll is the user's Npcap, never shipped).
set(RDPSCOPE_ZIP_NOTICES ${RDPSCOPE_DEB_NOTICES}
    "fmt|/usr/share/doc/libfmt-dev/copyright"
    "libpcap-headers|/usr/share/doc/libpcap0.8-dev/copyright"
    "OpenSSL|/usr/share/doc/libssl3/copyright"
    "Apache-2.0|/usr/share/common-licenses/Apache-2.0")
if(WIN32)
  list(APPEND RDPSCOPE_ZIP_NOTICES
       "mingw-w64-runtime|/usr/share/doc/mingw-w64-x86-64-dev/copyright"
       "gcc-runtime|/usr/share/doc/gcc-mingw-w64-base/copyright")
endif()

function(rdpscope_install_notices component destination)
  foreach(entry ${ARGN})
    string(REPLACE "|" ";" pair "${entry}")
    list(GET pair 0 name)
    list(GET pair 1 file)
    if(EXISTS "${file}")
      install(FILES "${file}" DESTINATION "${destination}" RENAME "${name}.txt" COMPONENT ${component}
              ${_rdpscope_exclude})
    else()
      message(WARNING "${file} is not here: the ${component} package will lack the ${name} notice")
    endif()
  endforeach()
endfunction()

rdpscope_install_notices(rdpscope ${RDPSCOPE_DOCDIR}/third-party ${RDPSCOPE_DEB_NOTICES})

# --- component zip: the flat Windows folder ----------------------------------
# EXCLUDE_FROM_ALL: only cpack -G ZIP (or cmake --install --component zip)
# installs it.  On the Linux build it makes a zip of the same shape around the
# Linux binary: what package.zip tests, so that the Windows zip needs only the
# cross build's rdpscope.exe.
set(_rdpscope_exclude EXCLUDE_FROM_ALL)
install(TARGETS rdpscope RUNTIME DESTINATION . COMPONENT zip EXCLUDE_FROM_ALL)
install(FILES README.md THIRD-PARTY.md DESTINATION . COMPONENT zip EXCLUDE_FROM_ALL)
install(FILES LICENSE DESTINATION . RENAME LICENSE.txt COMPONENT zip EXCLUDE_FROM_ALL)
# The README's "Capturing on Windows" section on its own, for whoever opens the
# zip on the machine where the capture is to be taken.
file(READ ${CMAKE_SOURCE_DIR}/README.md _readme)
string(FIND "${_readme}" "### Capturing on Windows" _from)
if(_from LESS 0)
  message(FATAL_ERROR "README.md has no '### Capturing on Windows' section (the zip's CAPTURING.md)")
endif()
string(SUBSTRING "${_readme}" ${_from} -1 _section)
string(SUBSTRING "${_section}" 3 -1 _rest)  # past this heading's own ###
string(REGEX MATCH "\n##+ " _next "${_rest}")
if(_next)
  string(FIND "${_rest}" "${_next}" _end)
  math(EXPR _end "${_end} + 3")
  string(SUBSTRING "${_section}" 0 ${_end} _section)
endif()
string(REGEX REPLACE "^### " "# " _section "${_section}")
file(WRITE ${CMAKE_BINARY_DIR}/CAPTURING.md
     "${_section}\nThe whole manual is README.md, beside this file.\n")
install(FILES ${CMAKE_BINARY_DIR}/CAPTURING.md DESTINATION . COMPONENT zip EXCLUDE_FROM_ALL)
rdpscope_install_notices(zip third-party ${RDPSCOPE_ZIP_NOTICES})
unset(_rdpscope_exclude)

# --- CPack ---------------------------------------------------------------------
set(CPACK_PACKAGE_NAME rdpscope)
set(CPACK_PACKAGE_VENDOR "the rdpscope authors")
set(CPACK_PACKAGE_CONTACT "rdpscope maintainers <maintainers@users.noreply.b-seed-6ff49f47.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "where and why RDP connection handshakes stall, read from packets")
set(CPACK_PACKAGE_DESCRIPTION
    "rdpscope reads the packets of Remote Desktop (RDP) connections, from pcap or pcapng files\n"
    "or a live interface, and says for every connection which step of the handshake it\n"
    "reached, where it stalled, who was waiting for whom, and why: packet loss, a firewall\n"
    "that drops or rejects, a path-MTU black hole, a server that never answers, a protocol\n"
    "mismatch, an authentication failure, a certificate rejection; with the frame numbers,\n"
    "as Wireshark numbers them, that prove it.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_RESOURCE_FILE_README ${CMAKE_SOURCE_DIR}/README.md)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
# Only the generators asked for on the command line: the default TGZ/STGZ/TZ
# set would make three more archives nobody ships.
set(CPACK_GENERATOR DEB)
if(WIN32)
  set(CPACK_GENERATOR ZIP)
endif()

# .deb: Debian's layout under /usr; Depends from dpkg-shlibdeps over the binary
# (libc6, libstdc++6, libgcc-s1, libpcap0.8, libssl3, libnghttp2-14, libfmt9 on Debian 12, at
# the versions this build machine's libraries require).
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}\n${CPACK_PACKAGE_DESCRIPTION}")

# zip: one folder, rdpscope-VERSION-windows-x86_64 (linux-x86_64 for the
# Linux build's check of the layout).
string(TOLOWER "${CMAKE_SYSTEM_NAME}-${CMAKE_SYSTEM_PROCESSOR}" RDPSCOPE_ZIP_SYSTEM)
string(REPLACE "amd64" "x86_64" RDPSCOPE_ZIP_SYSTEM "${RDPSCOPE_ZIP_SYSTEM}")
set(RDPSCOPE_ZIP_NAME "rdpscope-${PROJECT_VERSION}-${RDPSCOPE_ZIP_SYSTEM}")

configure_file(${CMAKE_SOURCE_DIR}/cmake/CPackProjectConfig.cmake.in
               ${CMAKE_BINARY_DIR}/CPackProjectConfig.cmake @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/CPackProjectConfig.cmake)
include(CPack)
