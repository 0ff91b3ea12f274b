/* Unit tests of the SXP reader, writer and helpers. */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "common/sbuf.h"
#include "sxp/sxp.h"

static struct sxp_node *parse(const char *text, struct diag *d)
{
    return sxp_parse(text, strlen(text), "t.sxp", d);
}

/* Parses text that must be valid; fails the test otherwise. */
static struct sxp_node *parse_ok(const char *text)
{
    struct diag d;

    diag_init(&d);
    struct sxp_node *doc = parse(text, &d);
    ck_assert_msg(doc != NULL, "parse failed: %s", diag_first_error(&d));
    ck_assert_uint_eq(d.count, 0);
    diag_free(&d);
    return doc;
}

/* The first error parsing text, which must fail. Caller frees. */
static char *parse_error(const char *text, size_t len)
{
    struct diag d;

    diag_init(&d);
    struct sxp_node *doc = sxp_parse(text, len, "t.sxp", &d);
    ck_assert_ptr_null(doc);
    ck_assert_uint_eq(d.errors, 1);
    char *msg = strdup(diag_first_error(&d));
    diag_free(&d);
    return msg;
}

#define ck_parse_error(text, want) do { \
        char *m_ = parse_error((text), strlen(text)); \
        ck_assert_str_eq(m_, (want)); \
        free(m_); \
    } while (0)

START_TEST(test_simple_tree)
{
    struct sxp_node *doc = parse_ok("(vm (name foo)\n    (memory 64))\n");

    ck_assert_int_eq(doc->type, SXP_LIST);
    ck_assert_uint_eq(doc->count, 1);
    const struct sxp_node *vm = doc->items[0];
    ck_assert_str_eq(sxp_head(vm), "vm");
    ck_assert_uint_eq(vm->count, 3);
    ck_assert_int_eq(vm->line, 1);
    ck_assert_int_eq(vm->column, 1);

    const struct sxp_node *mem = sxp_lookup(vm, "memory");
    ck_assert_ptr_nonnull(mem);
    ck_assert_int_eq(mem->line, 2);
    ck_assert_int_eq(mem->column, 5);
    const struct sxp_node *v = sxp_value(mem);
    ck_assert_int_eq(v->type, SXP_NUMBER);
    ck_assert_int_eq(v->ival, 64);
    ck_assert_int_eq(v->line, 2);
    ck_assert_int_eq(v->column, 13);
    ck_assert_str_eq(v->file, "t.sxp");

    const struct sxp_node *name = sxp_value(sxp_lookup(vm, "name"));
    ck_assert_int_eq(name->type, SXP_SYMBOL);
    ck_assert_str_eq(name->text, "foo");
    ck_assert_ptr_null(sxp_lookup(vm, "maxmem"));
    ck_assert_ptr_null(sxp_value(vm->items[0]));
    sxp_free(doc);
}
END_TEST

START_TEST(test_empty_and_comments)
{
    struct sxp_node *doc = parse_ok("");
    ck_assert_uint_eq(doc->count, 0);
    sxp_free(doc);

    doc = parse_ok("# only a comment\n   \t\n");
    ck_assert_uint_eq(doc->count, 0);
    sxp_free(doc);

    doc = parse_ok("(a # comment (not a list\n b) () (c\"#not\")foo#bar");
    ck_assert_uint_eq(doc->count, 4);
    ck_assert_uint_eq(doc->items[0]->count, 2);
    ck_assert_uint_eq(doc->items[1]->count, 0);
    ck_assert_str_eq(doc->items[2]->items[1]->text, "#not");
    ck_assert_int_eq(doc->items[2]->items[1]->type, SXP_STRING);
    ck_assert_str_eq(doc->items[3]->text, "foo");
    sxp_free(doc);
}
END_TEST

START_TEST(test_strings_and_escapes)
{
    struct sxp_node *doc = parse_ok(
        "('single' \"double\" 'it\\'s' \"say \\\"hi\\\"\" "
        "\"a\\nb\\tc\\\\d\\re\" '\\x41\\x7e' \"caf\xc3\xa9\" '' "
        "\"multi\nline\")");
    const struct sxp_node *l = doc->items[0];

    ck_assert_uint_eq(l->count, 9);
    for (size_t i = 0; i < l->count; i++)
        ck_assert_int_eq(l->items[i]->type, SXP_STRING);
    ck_assert_str_eq(l->items[0]->text, "single");
    ck_assert_str_eq(l->items[1]->text, "double");
    ck_assert_str_eq(l->items[2]->text, "it's");
    ck_assert_str_eq(l->items[3]->text, "say \"hi\"");
    ck_assert_str_eq(l->items[4]->text, "a\nb\tc\\d\re");
    ck_assert_str_eq(l->items[5]->text, "A~");
    ck_assert_str_eq(l->items[6]->text, "caf\xc3\xa9");
    ck_assert_str_eq(l->items[7]->text, "");
    ck_assert_str_eq(l->items[8]->text, "multi\nline");
    sxp_free(doc);
}
END_TEST

START_TEST(test_numbers)
{
    struct sxp_node *doc = parse_ok(
        "(42 -7 +5 0x1f -0x10 0XFF 010 1.5 -2.5e3 .5 1. 2E-2 "
        "9223372036854775807 -9223372036854775808 "
        "10.0.0.1 1e 0x - . 1.2.3 0x1g 12ab)");
    const struct sxp_node *l = doc->items[0];
    static const int64_t ints[] = { 42, -7, 5, 31, -16, 255, 10 };
    static const double floats[] = { 1.5, -2500.0, 0.5, 1.0, 0.02 };

    for (size_t i = 0; i < 7; i++) {
        ck_assert_int_eq(l->items[i]->type, SXP_NUMBER);
        ck_assert(!l->items[i]->is_float);
        ck_assert_int_eq(l->items[i]->ival, ints[i]);
    }
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(l->items[7 + i]->type, SXP_NUMBER);
        ck_assert(l->items[7 + i]->is_float);
        ck_assert_double_eq_tol(l->items[7 + i]->fval, floats[i], 1e-12);
    }
    ck_assert_int_eq(l->items[12]->ival, INT64_MAX);
    ck_assert_int_eq(l->items[13]->ival, INT64_MIN);
    for (size_t i = 14; i < l->count; i++)
        ck_assert_int_eq(l->items[i]->type, SXP_SYMBOL);
    ck_assert_str_eq(l->items[14]->text, "10.0.0.1");
    ck_assert_str_eq(l->items[16]->text, "0x");
    sxp_free(doc);
}
END_TEST

START_TEST(test_positions_count_characters)
{
    /* A tab is one column and a two-byte UTF-8 character is one column. */
    struct sxp_node *doc = parse_ok("\n\t(x \"\xc3\xa9\xc3\xa9\" y)\r\n  z");
    const struct sxp_node *l = doc->items[0];

    ck_assert_int_eq(l->line, 2);
    ck_assert_int_eq(l->column, 2);
    ck_assert_int_eq(l->items[2]->line, 2);
    ck_assert_int_eq(l->items[2]->column, 10);
    ck_assert_int_eq(doc->items[1]->line, 3);
    ck_assert_int_eq(doc->items[1]->column, 3);
    sxp_free(doc);
}
END_TEST

START_TEST(test_syntax_errors)
{
    ck_parse_error("(vm (name \"foo))", "t.sxp:1:11: unterminated string");
    ck_parse_error("(a 'b\\", "t.sxp:1:4: unterminated string");
    ck_parse_error("(vm (name foo)))", "t.sxp:1:16: unexpected ')'");
    ck_parse_error(")", "t.sxp:1:1: unexpected ')'");
    ck_parse_error("\n\n(vm\n  (name foo)\n",
                   "t.sxp:5:1: missing ')' for '(' opened at 3:1");
    ck_parse_error("(a (b", "t.sxp:1:6: missing ')' for '(' opened at 1:4");
    ck_parse_error("(a \"x\\qy\")",
                   "t.sxp:1:6: unknown escape '\\q' in string");
    ck_parse_error("(a \"\\xZ1\")",
                   "t.sxp:1:5: \\x must be followed by two hex digits");
    ck_parse_error("(a \"\\x4\")",
                   "t.sxp:1:5: \\x must be followed by two hex digits");
    ck_parse_error("(a \"\\x00\")",
                   "t.sxp:1:5: \\x00 is not allowed: strings cannot hold NUL");
    ck_parse_error("(a \x01)",
                   "t.sxp:1:4: unexpected control character 0x01");
    ck_parse_error("(a 9223372036854775808)",
                   "t.sxp:1:4: number '9223372036854775808' is out of range");
    ck_parse_error("(a 1e999)", "t.sxp:1:4: number '1e999' is out of range");

    char *m = parse_error("(a \0 b)", 7);
    ck_assert_str_eq(m, "t.sxp:1:4: NUL byte in input");
    free(m);
    m = parse_error("(a \"\0\")", 7);
    ck_assert_str_eq(m, "t.sxp:1:5: NUL byte in input");
    free(m);
}
END_TEST

static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 1);

    for (int i = 0; i < depth; i++) {
        s[i] = '(';
        s[depth + i] = ')';
    }
    s[depth * 2] = '\0';
    return s;
}

START_TEST(test_depth_limit)
{
    char *ok = nested(SXP_MAX_DEPTH);
    struct sxp_node *doc = parse_ok(ok);
    char *out = sxp_write_doc_str(doc);
    struct sxp_node *again = parse_ok(out);
    ck_assert(sxp_equal(doc, again));
    sxp_free(again);
    free(out);
    sxp_free(doc);
    free(ok);

    char *deep = nested(SXP_MAX_DEPTH + 1);
    char *m = parse_error(deep, strlen(deep));
    ck_assert_str_eq(m, "t.sxp:1:65: lists nested deeper than 64 levels");
    free(m);
    free(deep);

    /* Far deeper input must be an error too, not a stack overflow. */
    char *huge = nested(1000000);
    m = parse_error(huge, strlen(huge));
    ck_assert_str_eq(m, "t.sxp:1:65: lists nested deeper than 64 levels");
    free(m);
    free(huge);
}
END_TEST

static void round_trip(const char *text)
{
    struct sxp_node *a = parse_ok(text);
    char *w1 = sxp_write_doc_str(a);
    struct sxp_node *b = parse_ok(w1);
    char *w2 = sxp_write_doc_str(b);

    ck_assert_msg(sxp_equal(a, b), "round trip changed %s into %s", text, w1);
    ck_assert_str_eq(w1, w2);
    sxp_free(a);
    sxp_free(b);
    free(w1);
    free(w2);
}

START_TEST(test_round_trip)
{
    round_trip("(vm (name foo) (memory 64))");
    round_trip("(a \"42\" '-7' \"0x10\" \"1.5\" '' \"two words\" \"(paren\")");
    round_trip("(s \"q\\\"uote\" 'apos\\'' \"#hash\" \"back\\\\slash\")");
    round_trip("(c \"\\x01\\x1f\\x7f\" \"tab\\tnl\\ncr\\r\" \"caf\xc3\xa9\")");
    round_trip("(f 0.1 -0.0 1e300 -2.5e-300 3.0 1. 4.9406564584124654e-324)");
    round_trip("(i 0 -9223372036854775808 9223372036854775807 0xff)");
    round_trip("() (()) ((a) (b (c (d))))");
    round_trip("(long (list of many symbols that will not fit on one line "
               "because it goes on and on) (and a nested one \"with a long "
               "string inside it that is quite long\"))");
    round_trip("top-level-symbol 'string' 7");
}
END_TEST

START_TEST(test_writer_format)
{
    struct sxp_node *doc = parse_ok(
        "( vm\n(name   'web1')(memory 0x40) (args \"console=hvc0 quiet\") "
        "(on_crash restart) (image (pvh (kernel /boot/vmlinuz-6.1.0-mica) "
        "(ramdisk /boot/initrd.img-6.1.0-mica))))\n(x 1.0 \"42\" '')");
    char *s = sxp_write_doc_str(doc);

    ck_assert_str_eq(s,
        "(vm\n"
        "    (name web1)\n"
        "    (memory 64)\n"
        "    (args \"console=hvc0 quiet\")\n"
        "    (on_crash restart)\n"
        "    (image\n"
        "        (pvh\n"
        "            (kernel /boot/vmlinuz-6.1.0-mica)\n"
        "            (ramdisk /boot/initrd.img-6.1.0-mica))))\n"
        "(x 1.0 \"42\" \"\")\n");
    free(s);

    s = sxp_write_str(doc->items[1]);
    ck_assert_str_eq(s, "(x 1.0 \"42\" \"\")");
    free(s);
    sxp_free(doc);
}
END_TEST

START_TEST(test_build_and_write)
{
    struct sxp_node *l = sxp_new_list();

    sxp_append(l, sxp_new_symbol("t"));
    sxp_add_pair(l, "s", sxp_new_string("has space"));
    sxp_add_pair(l, "n", sxp_new_int(-3));
    sxp_add_pair(l, "f", sxp_new_float(2.0));
    sxp_add_pair(l, "num-like", sxp_new_string("12"));
    char *s = sxp_write_str(l);
    ck_assert_str_eq(s, "(t (s \"has space\") (n -3) (f 2.0) (num-like "
                        "\"12\"))");
    free(s);

    struct sbuf sb = SBUF_INIT;
    sxp_write_atom(&sb, l->items[0]);
    ck_assert_str_eq(sbuf_str(&sb), "t");
    sbuf_free(&sb);
    sxp_free(l);
}
END_TEST

START_TEST(test_typed_access)
{
    struct diag d;
    struct sxp_node *doc = parse_ok("(c (port abc)\n (n 70000) (s 42) "
                                    "(q \"512\") (l (x)) (f 1.5))");
    const struct sxp_node *c = doc->items[0];
    int64_t v = 0;
    const char *s = NULL;

    diag_init(&d);
    ck_assert_int_eq(sxp_get_int(sxp_value(sxp_lookup(c, "port")), "port",
                                 1, 65535, &v, &d), -1);
    ck_assert_first_error(&d, "t.sxp:1:10: port: expected an integer "
                              "1..65535, got 'abc'");
    diag_free(&d);

    diag_init(&d);
    ck_assert_int_eq(sxp_get_int(sxp_value(sxp_lookup(c, "n")), "n", 1,
                                 65535, &v, &d), -1);
    ck_assert_first_error(&d, "t.sxp:2:5: n: expected an integer 1..65535, "
                              "got 70000");
    diag_free(&d);

    diag_init(&d);
    ck_assert_int_eq(sxp_get_int(sxp_value(sxp_lookup(c, "q")), "q", 1,
                                 1024, &v, &d), 0);
    ck_assert_int_eq(v, 512);
    ck_assert_int_eq(sxp_get_int(sxp_value(sxp_lookup(c, "f")), "f", 0, 9,
                                 &v, &d), -1);
    ck_assert_first_error(&d, "t.sxp:2:40: f: expected an integer 0..9, "
                              "got 1.5");
    diag_free(&d);

    diag_init(&d);
    ck_assert_int_eq(sxp_get_text(sxp_value(sxp_lookup(c, "s")), "s", &s,
                                  &d), -1);
    ck_assert_first_error(&d, "t.sxp:2:15: s: expected a string, got the "
                              "number 42 (quote it: \"42\")");
    diag_free(&d);

    diag_init(&d);
    ck_assert_int_eq(sxp_get_text(sxp_value(sxp_lookup(c, "l")), "l", &s,
                                  &d), -1);
    ck_assert_first_error(&d, "t.sxp:2:32: l: expected a string, got a list");
    ck_assert_int_eq(sxp_get_text(sxp_value(sxp_lookup(c, "port")), "port",
                                  &s, &d), 0);
    ck_assert_str_eq(s, "abc");
    diag_free(&d);
    sxp_free(doc);
}
END_TEST

START_TEST(test_equality)
{
    struct sxp_node *a = parse_ok("(x foo 1 2.0 (y))");
    struct sxp_node *b = parse_ok("(x \"foo\" 0x1 2.0 (y))");
    struct sxp_node *c = parse_ok("(x foo 1.0 2.0 (y))");
    struct sxp_node *e = parse_ok("(x foo 1 2.0 (y z))");

    ck_assert(sxp_equal(a, b));
    ck_assert(!sxp_equal(a, c));
    ck_assert(!sxp_equal(a, e));
    ck_assert(!sxp_equal(a, NULL));
    sxp_free(a);
    sxp_free(b);
    sxp_free(c);
    sxp_free(e);
}
END_TEST

START_TEST(test_parse_file)
{
    struct diag d;

    diag_init(&d);
    struct sxp_node *doc = sxp_parse_file(TESTS_DIR "/data/xend-full.sxp",
                                          &d);
    ck_assert_ptr_nonnull(doc);
    ck_assert_ptr_nonnull(sxp_lookup(doc, "xend-port"));
    sxp_free(doc);

    ck_assert_ptr_null(sxp_parse_file(TESTS_DIR "/data/no-such-file", &d));
    ck_assert_first_error(&d, TESTS_DIR "/data/no-such-file: cannot read: "
                              "No such file or directory");
    diag_free(&d);
}
END_TEST

Suite *sxp_suite(void)
{
    Suite *s = suite_create("sxp");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_simple_tree);
    tcase_add_test(tc, test_empty_and_comments);
    tcase_add_test(tc, test_strings_and_escapes);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_positions_count_characters);
    tcase_add_test(tc, test_syntax_errors);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_writer_format);
    tcase_add_test(tc, test_build_and_write);
    tcase_add_test(tc, test_typed_access);
    tcase_add_test(tc, test_equality);
    tcase_add_test(tc, test_parse_file);
    suite_add_tcase(s, tc);
    return s;
}
