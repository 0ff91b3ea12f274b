#include "unit.h"
Suite *elf_suite(bool known_bugs) { (void)known_bugs; return suite_create("elf"); }
