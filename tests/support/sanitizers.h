/*
 * UNDER_SANITIZERS is defined in a build with AddressSanitizer (gcc or
 * clang): the few tests too heavy for it skip themselves there and run in
 * the optimised build.
 */
#ifndef MINEMETER_TESTS_SANITIZERS_H
#define MINEMETER_TESTS_SANITIZERS_H

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZERS 1
#endif
#endif

#endif
