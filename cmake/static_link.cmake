# MPYSHIP_STATIC: one self-contained mpyship for release archives, linked with -static (glibc, libstdc++ and
# every library from its Debian .a), so the file runs on any Linux of its architecture. Included before the
# libraries are found, because it changes what they resolve to:
#   - fmt and toml++ are used header-only (Debian ships libfmt.so and libtomlplusplus.so, no .a);
#   - cpp-httplib cannot be static (Debian ships libcpp-httplib.so and only the declaration half of
#     httplib.h), so a static mpyship has no `mpyship serve` (it says so);
#   - libsodium.a (Ed25519 and SHA-256), libz.a, libarchive.a and the .a of what libarchive pulls in
#     (nettle, acl, zstd, lz4, bzip2, lzma, and libxml2 with ICU, whose data makes most of the binary's size).
# Tests and benchmarks need cpp-httplib and are off in a static build.
option(MPYSHIP_STATIC "Link mpyship statically (release archives; no `serve`, no tests)" OFF)
if(NOT MPYSHIP_STATIC)
  return()
endif()
if(MPYSHIP_TESTS OR MPYSHIP_BENCH)
  message(FATAL_ERROR "MPYSHIP_STATIC: configure with -DMPYSHIP_TESTS=OFF -DMPYSHIP_BENCH=OFF (the tests need "
                      "cpp-httplib, which Debian ships only as a shared library)")
endif()
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
set(ZLIB_USE_STATIC_LIBS TRUE)

find_path(MPYSHIP_FMT_INCLUDE fmt/format-inl.h REQUIRED)
add_library(fmt::fmt-header-only INTERFACE IMPORTED)
set_target_properties(fmt::fmt-header-only PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${MPYSHIP_FMT_INCLUDE}
  INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)
add_library(fmt::fmt INTERFACE IMPORTED) # fmt's own config sees both targets and leaves them as they are
set_target_properties(fmt::fmt PROPERTIES INTERFACE_LINK_LIBRARIES fmt::fmt-header-only)

find_path(MPYSHIP_TOML_INCLUDE toml++/toml.h REQUIRED)
add_library(tomlplusplus::tomlplusplus INTERFACE IMPORTED) # toml++'s config skips an existing target
set_target_properties(tomlplusplus::tomlplusplus PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${MPYSHIP_TOML_INCLUDE}
  INTERFACE_COMPILE_DEFINITIONS TOML_HEADER_ONLY=1)

# What libarchive.a pulls in (its pkg-config --static libraries, and libxml2's: ICU), in link order; found as
# .a only. src/mpyship/CMakeLists.txt appends them to LibArchive::LibArchive so they follow libarchive.a.
set(MPYSHIP_STATIC_EXTRA_LIBS)
foreach(lib nettle acl zstd lz4 bz2 xml2 icui18n icuuc icudata lzma z m)
  find_library(MPYSHIP_STATIC_${lib} ${lib} REQUIRED)
  list(APPEND MPYSHIP_STATIC_EXTRA_LIBS ${MPYSHIP_STATIC_${lib}})
endforeach()
