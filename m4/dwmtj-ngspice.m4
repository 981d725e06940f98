# Checks for the ngspice tree the XSPICE code model is built against.

# DWMTJ_NGSPICE_TREES
# -------------------
# Sets and substitutes NGSPICE_SRC (the source tree: headers, dlmain.c,
# dstring.c) and NGSPICE_BUILD (where ngspice's configure ran: config.h
# and cmpp), both made absolute so that VPATH builds see the same paths.
AC_DEFUN([DWMTJ_NGSPICE_TREES], [
AC_ARG_VAR([NGSPICE_SRC], [ngspice source tree (same as --with-ngspice-src)])
AC_ARG_WITH([ngspice-src],
  [AS_HELP_STRING([--with-ngspice-src=DIR],
    [ngspice source tree of the installed ngspice version (required
     for the code model; or set NGSPICE_SRC)])],
  [NGSPICE_SRC=$withval])
AC_ARG_WITH([ngspice-build],
  [AS_HELP_STRING([--with-ngspice-build=DIR],
    [tree where ngspice's configure ran @<:@same as the source tree@:>@])],
  [NGSPICE_BUILD=$withval], [NGSPICE_BUILD=])

dwmtj_ng_howto="Run scripts/quickstart, which fetches and prepares the source of the
installed ngspice.  Or prepare a tree yourself: in its build directory run
ngspice's configure with --enable-xspice --with-ngshared (and the installed
package's other options: --enable-cider --enable-openmp --enable-pss
--disable-adms --disable-debug), then make -C src/xspice/cmpp.  Or
configure --disable-codemodel to build without the code model."

AS_CASE([$NGSPICE_SRC],
  [""|yes|no], [AC_MSG_ERROR([the code model needs the ngspice source tree: pass --with-ngspice-src=DIR or set NGSPICE_SRC.
$dwmtj_ng_howto])])
AS_IF([test -z "$NGSPICE_BUILD"], [NGSPICE_BUILD=$NGSPICE_SRC])

AC_MSG_CHECKING([for the ngspice source tree])
AS_IF([test -f "$NGSPICE_SRC/src/include/ngspice/cm.h"],
  [NGSPICE_SRC=`cd "$NGSPICE_SRC" && pwd`
   AC_MSG_RESULT([$NGSPICE_SRC])],
  [AC_MSG_RESULT([no])
   AC_MSG_ERROR([$NGSPICE_SRC/src/include/ngspice/cm.h not found: --with-ngspice-src must name an ngspice source tree.
$dwmtj_ng_howto])])

AC_MSG_CHECKING([for the configured ngspice build tree])
AS_IF([test -f "$NGSPICE_BUILD/src/include/ngspice/config.h"],
  [NGSPICE_BUILD=`cd "$NGSPICE_BUILD" && pwd`
   AC_MSG_RESULT([$NGSPICE_BUILD])],
  [AC_MSG_RESULT([no])
   AC_MSG_ERROR([$NGSPICE_BUILD/src/include/ngspice/config.h not found: ngspice is not configured there (--with-ngspice-build).
$dwmtj_ng_howto])])

AC_MSG_CHECKING([for cmpp])
CMPP=$NGSPICE_BUILD/src/xspice/cmpp/cmpp
AS_IF([test -x "$CMPP"],
  [AC_MSG_RESULT([$CMPP])],
  [AC_MSG_RESULT([no])
   AC_MSG_ERROR([$CMPP not found: build it with make -C $NGSPICE_BUILD/src/xspice/cmpp.
$dwmtj_ng_howto])])

AC_SUBST([NGSPICE_SRC])
AC_SUBST([NGSPICE_BUILD])
AC_SUBST([CMPP])
])

# DWMTJ_NGSPICE_VERSION
# ---------------------
# ngspice loads a code model without checking anything, and the structures
# in its headers change between releases, so the source tree must be the
# installed version.  Full Debian versions (dpkg vs debian/changelog) must
# match exactly; otherwise the major versions must.
AC_DEFUN([DWMTJ_NGSPICE_VERSION], [
AC_REQUIRE([DWMTJ_NGSPICE_TREES])
AC_PATH_PROG([DPKG_QUERY], [dpkg-query])

AC_MSG_CHECKING([for the installed ngspice version])
dwmtj_ng_installed=
dwmtj_ng_installed_full=no
AS_IF([test -n "$DPKG_QUERY"],
  [dwmtj_ng_installed=`$DPKG_QUERY -W -f='${Version}' libngspice0 2>/dev/null` ||
     dwmtj_ng_installed=
   AS_IF([test -n "$dwmtj_ng_installed"], [dwmtj_ng_installed_full=yes])])
AS_IF([test -z "$dwmtj_ng_installed"],
  [dwmtj_ng_installed=`$PKG_CONFIG --modversion ngspice 2>/dev/null` ||
     dwmtj_ng_installed=])
AS_IF([test -z "$dwmtj_ng_installed"],
  [AC_MSG_RESULT([unknown])
   AC_MSG_ERROR([cannot tell which ngspice is installed (neither dpkg-query -W libngspice0 nor pkg-config --modversion ngspice answers); install libngspice0-dev])])
AC_MSG_RESULT([$dwmtj_ng_installed])

AC_MSG_CHECKING([for the ngspice source version])
dwmtj_ng_source=
dwmtj_ng_source_full=no
AS_IF([test -f "$NGSPICE_SRC/debian/changelog"],
  [dwmtj_ng_source=`sed -n '1s/^ngspice (\(@<:@^)@:>@*\)).*/\1/p' "$NGSPICE_SRC/debian/changelog"`
   AS_IF([test -n "$dwmtj_ng_source"], [dwmtj_ng_source_full=yes])])
AS_IF([test -z "$dwmtj_ng_source" && test -f "$NGSPICE_SRC/configure.ac"],
  [dwmtj_ng_source=`sed -n 's/^m4@&t@_define(\@<:@ngspice_major_version\@:>@, *\@<:@\(@<:@0-9@:>@*\)\@:>@).*/\1/p' "$NGSPICE_SRC/configure.ac"`])
AS_IF([test -z "$dwmtj_ng_source"],
  [AC_MSG_RESULT([unknown])
   AC_MSG_ERROR([cannot tell the version of the ngspice source in $NGSPICE_SRC (no debian/changelog, no ngspice_major_version in configure.ac)])])
AC_MSG_RESULT([$dwmtj_ng_source])

# Major version: drop a Debian epoch, keep the digits before . + - ~
dwmtj_ng_major() { echo "$[1]" | sed -e 's/^@<:@0-9@:>@*://' -e 's/@<:@.+~-@:>@.*//'; }
AC_MSG_CHECKING([whether the ngspice source matches the installed ngspice])
AS_IF([test "$dwmtj_ng_installed_full,$dwmtj_ng_source_full" = yes,yes],
  [AS_IF([test "x$dwmtj_ng_installed" = "x$dwmtj_ng_source"],
     [dwmtj_ng_match=yes], [dwmtj_ng_match=no])],
  [AS_IF([test "x`dwmtj_ng_major "$dwmtj_ng_installed"`" = "x`dwmtj_ng_major "$dwmtj_ng_source"`"],
     [dwmtj_ng_match=yes], [dwmtj_ng_match=no])])
AC_MSG_RESULT([$dwmtj_ng_match])
AS_IF([test $dwmtj_ng_match = no],
  [AC_MSG_ERROR([ngspice version mismatch: installed $dwmtj_ng_installed, source tree $NGSPICE_SRC is $dwmtj_ng_source.
ngspice does not check a code model's version when it loads it, so the .cm
must be built against the source of exactly the installed ngspice.  Run
scripts/quickstart (it fetches the matching source with apt-get source), or
pass --with-ngspice-src for the installed version, or install the ngspice
that matches your tree.])])
])
