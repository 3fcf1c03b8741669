/*
 * test_normalize.c - formatting-only variants normalize to the same text;
 * a change to code (an identifier, a literal, a token, significant
 * whitespace) never does.
 */
#include <string.h>

#include "normalize.h"
#include "t.h"

static const struct norm_lang *
lang(const char *name)
{
	return norm_lang_find(name, strlen(name), NULL, 0);
}

static struct buf na = BUF_INIT, nb = BUF_INIT;

/* Print s on one line, newlines as \n. */
static void
show(const char *label, const struct buf *s)
{
	size_t i;

	printf("#     %s: '", label);
	for (i = 0; i < s->len; i++)
		if (s->data[i] == '\n')
			printf("\\n");
		else
			putchar(s->data[i]);
	printf("'\n");
}

/* Do a and b normalize to the same bytes under language l? */
static int
same(const char *l, const char *a, const char *b)
{
	if (l == NULL) {
		norm_format(a, strlen(a), &na);
		norm_format(b, strlen(b), &nb);
	} else {
		norm_code(lang(l), a, strlen(a), &na);
		norm_code(lang(l), b, strlen(b), &nb);
	}
	return na.len == nb.len && memcmp(na.data, nb.data, na.len) == 0;
}

#define SAME(l, a, b) do { \
	if (!same((l), (a), (b))) { \
		CHECK(!"normalized forms differ"); \
		show("a", &na); \
		show("b", &nb); \
	} \
} while (0)
#define DIFF(l, a, b) do { \
	if (same((l), (a), (b))) { \
		CHECK(!"normalized forms are the same"); \
		show("both", &na); \
	} \
} while (0)

static void
format(void)
{
	struct buf o = BUF_INIT;

	const char *in = "\xEF\xBB\xBF\n\n a  \r\nb\t \r\n\n\nc\n\n  \n";

	norm_format(in, strlen(in), &o);
	CHECK_STR(o.data, " a\nb\n\n\nc\n");
	SAME(NULL, "x\r\ny\r\n", "x\ny");
	SAME(NULL, "x \ny\t\n", "x\ny\n");
	SAME(NULL, "\n\nx\n\n", "x\n");
	DIFF(NULL, "x\ny\n", "x\n\ny\n");	/* inner blank lines count */
	DIFF(NULL, " x\n", "x\n");		/* leading blanks count */
	DIFF(NULL, "x y\n", "x  y\n");
	norm_format("", 0, &o);
	CHECK_EQ_U(o.len, 0);
	buf_release(&o);
}

static void
c_family(void)
{
	SAME("C", "int  main( void ) {\n\treturn 0; // done\n}\n",
	    "/* hi */int main(void){return 0;}");
	SAME("C++", "a = b + c;", "a=b+c;");
	SAME("Java", "class A {\n  int x; /* c\n  c */\n}", "class A { int x; }");
	DIFF("C", "int x = 1;", "int x = 2;");
	DIFF("C", "int x;", "int y;");
	DIFF("C", "int x;", "intx;");
	DIFF("C", "a - -b", "a--b");
	DIFF("C", "a + +b", "a++b");
	/* literals: free beside operators, not beside words or literals */
	SAME("C", "s = \"x\" ;", "s=\"x\";");
	DIFF("C", "w = L \"x\";", "w = L\"x\";");
	DIFF("C++", "auto s = \"x\" _s;", "auto s = \"x\"_s;");
	DIFF("C", "x / *p", "x /*p*/");
	DIFF("C", "s = \"a  b\";", "s = \"a b\";");
	DIFF("C", "s = \"a // b\";", "s = \"a \";");
	DIFF("C", "c = '/';", "c = '*';");
	/* preprocessor lines end at their newline */
	DIFF("C", "#define A 1\n+2\n", "#define A 1 +2\n");
	SAME("C", "#include <a.h>\n\n\nint x;", "#include <a.h>\nint  x;");
	/* comment markers inside strings and chars are not comments */
	DIFF("C", "p(\"/*\"); x(); p(\"*/\");", "p(\"/*\"); y(); p(\"*/\");");
	DIFF("C++", "auto s = R\"(a // b)\";", "auto s = R\"(a // c)\";");
	SAME("C++", "auto s = R\"x(a \" b)x\"; // c", "auto s=R\"x(a \" b)x\";");
	DIFF("C#", "s = @\"a\"\"b // c\";", "s = @\"a\"\"b // d\";");
	/* Rust comments nest, C's do not */
	SAME("Rust", "/* a /* b */ x */ y", "/* a /* b */ z */ y");
	DIFF("C", "/* a /* b */ x */ y", "/* a /* b */ z */ y");
	DIFF("Rust", "let s = r#\"a \" // b\"#;", "let s = r#\"a \" // c\"#;");
	DIFF("Java", "s = \"\"\"\n  a // b\n\"\"\";", "s = \"\"\"\n  a // c\n\"\"\";");
}

static void
newline_languages(void)
{
	/* ASI: a newline can end a statement in JavaScript and Go */
	DIFF("JavaScript", "return\nx", "return x");
	SAME("JavaScript", "let a = 1;  // one\n\n\nlet b = 2;\n",
	    "let a=1;\nlet b=2;");
	DIFF("JavaScript", "x = `a ${b}  c`", "x = `a ${b} c`");
	/* a regex literal is not a comment */
	DIFF("JavaScript", "x = /a\\/\\/b/.test(s)", "x = /a\\/\\/c/.test(s)");
	DIFF("JavaScript", "r = s.split(/\\/\\//)", "r = s.split(/\\/\\/x/)");
	SAME("JavaScript", "a = b / c / d", "a=b/c/d");
	DIFF("Go", "x := `raw // text`", "x := `raw // other`");
	SAME("Go", "func f() {\n\treturn // c\n}\n", "func f() {\nreturn\n}");
	DIFF("Go", "a\nb", "a b");
}

static void
python(void)
{
	SAME("Python", "def f(x):  # comment\n    return x + 1\n\n\n",
	    "def f( x ):\n    return x+1");
	/* indentation is syntax */
	DIFF("Python", "if x:\n    a()\nb()\n", "if x:\n    a()\n    b()\n");
	DIFF("Python", "if x:\n\ta()\n", "if x:\n    a()\n");
	SAME("Python", "x = 1\n# only a comment\n\ny = 2\n", "x = 1\ny = 2\n");
	DIFF("Python", "s = '# not a comment'", "s = '# other'");
	DIFF("Python", "s = \"\"\"a\n# b\n\"\"\"", "s = \"\"\"a\n# c\n\"\"\"");
	SAME("Python", "'''doc'''\nx=1", "'''doc'''\nx = 1  # set x");
	DIFF("Python", "'''doc'''\n", "'''doc '''\n");
	/* the interpreter line is kept */
	DIFF("Python", "#!/usr/bin/python\nx", "#!/usr/bin/python3\nx");
}

static void
shell(void)
{
	SAME("Shell", "  echo  hi   # greet\n\n", "echo hi");
	/* words are separated by blanks: never glued */
	DIFF("Shell", "rm -rf /tmp/x", "rm-rf /tmp/x");
	DIFF("Shell", "a=b", "a = b");
	DIFF("Shell", "echo $#", "echo $");
	DIFF("Shell", "echo a#b", "echo a");
	DIFF("Shell", "echo 'a  # b'", "echo 'a  # c'");
	DIFF("Shell", "echo \"a\n# b\"", "echo \"a\n# c\"");
	/* an escaped quote opens no string: the rest is a comment */
	SAME("Shell", "echo \\\" # a", "echo \\\" # b");
	/* here-document bodies are data */
	DIFF("Shell", "cat <<EOF\n# a\n  b\nEOF\necho", "cat <<EOF\n# c\n  b\nEOF\necho");
	DIFF("Shell", "cat <<EOF\n a\nEOF\n", "cat <<EOF\na\nEOF\n");
	SAME("Shell", "cat <<'EOF'\n# a\nEOF\n# c\necho", "cat <<'EOF'\n# a\nEOF\necho");
	DIFF("Shell", "cat <<< x\n# not doc\ny", "cat <<< x\n# not doc\nz");
	SAME("CMake", "set(A 1)  # x\n\n", "set(A 1)");
	DIFF("CMake", "set(A \"a # b\")", "set(A \"a # c\")");
}

static void
css(void)
{
	/* selector whitespace is meaning: descendant vs compound */
	DIFF("CSS", ".a .b { x: 1 }", ".a.b { x: 1 }");
	SAME("CSS", ".a  .b {\n  x: 1;  /* c */\n}", ".a .b { x: 1; }");
	DIFF("CSS", "a { background: url(http://x/y) }",
	    "a { background: url(http://x/z) }");
}

static void
lookup(void)
{
	CHECK_STR(norm_lang_name(lang("Python")), "python");
	CHECK_STR(norm_lang_name(lang("TypeScript")), "javascript");
	CHECK_STR(norm_lang_name(lang("c++")), "c");
	CHECK(lang("Markdown") == NULL);
	CHECK_STR(norm_lang_name(norm_lang_find(NULL, 0, "/a/b/x.py", 9)),
	    "python");
	CHECK_STR(norm_lang_name(norm_lang_find("", 0, "/CMakeLists.txt",
	    15)), "cmake");
	CHECK(norm_lang_find(NULL, 0, "/README", 7) == NULL);
	CHECK(norm_lang_find(NULL, 0, "/a.py/README", 12) == NULL);
}

int
main(void)
{
	T_RUN(format);
	T_RUN(c_family);
	T_RUN(newline_languages);
	T_RUN(python);
	T_RUN(shell);
	T_RUN(css);
	T_RUN(lookup);
	buf_release(&na);
	buf_release(&nb);
	return t_done();
}
