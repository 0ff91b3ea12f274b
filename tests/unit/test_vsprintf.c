#include "unit.h"
Suite *vsprintf_suite(bool known_bugs) { (void)known_bugs; return suite_create("vsprintf"); }
