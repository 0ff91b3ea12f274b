#ifndef MICA_VERSION_H
#define MICA_VERSION_H
#define MICA_VERSION "0.1"
#endif
