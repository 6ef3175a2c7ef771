# Exits 77 (skip) when PROJ could find the OSTN15 grid: the case expects the 2 m Helmert
# fallback that PROJ uses without it (Debian and Ubuntu ship without the grid).
import os, sys
folders = [os.path.expanduser("~/.local/share/proj"), "/usr/share/proj", "/usr/local/share/proj"]
for var in ("PROJ_DATA", "PROJ_LIB"):
    folders += [f for f in os.environ.get(var, "").split(os.pathsep) if f]
for f in folders:
    for name in ("uk_os_OSTN15_NTv2_OSGBtoETRS.tif", "OSTN15_NTv2_OSGBtoETRS.gsb"):
        if os.path.exists(os.path.join(f, name)):
            print(f"{os.path.join(f, name)} is installed: PROJ uses OSTN15 here")
            sys.exit(77)
