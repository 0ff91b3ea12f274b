/*
 * mica-info: prints what mica reports about the host and its domains.
 * Proves the path from dom0 user space to mica until xm and xend use it.
 */
#include <stdio.h>

#include "info.h"

int main(int argc, char **argv)
{
    return mica_info_main(argc, argv, stdout, stderr);
}
