#!/usr/bin/python3
"""gen-charsets.py - write charsets.inc, the decoding tables of swh-fetch.

The Stack v2 decoded each file with Python's codecs (`bytes.decode(name)`,
name = cchardet's guess); swh-fetch must give the same text.  This script
derives, from the Python that runs it and from glibc's iconv (through
ctypes), everything the C decoder (charset.c) needs to behave like Python:

  - the aliases: every name Python's codec lookup accepts for a supported
    codec, normalized the way Python normalizes names;
  - single-byte codecs: the table of the upper 128 bytes (the lower half
    must be ASCII), taken from Python itself, so no iconv is involved;
  - multi-byte codecs: the iconv charset to use plus the overrides: every
    character (byte sequence, split the way the codec reads it) that glibc
    decodes differently from Python, with Python's result or "invalid".

Run it with Debian's python3 on the glibc the program is built with:

    /usr/bin/python3 filters/swh-fetch/gen-charsets.py > filters/swh-fetch/charsets.inc

tests/bats/swh-fetch.bats checks the result against Python again on every
1- and 2-byte sequence (and the 3- and 4-byte forms), so a table that
drifts from Python fails the tests.
"""
import codecs
import ctypes
import encodings.aliases
import sys

SBCS = """ascii latin_1 iso8859_2 iso8859_3 iso8859_4 iso8859_5 iso8859_6
iso8859_7 iso8859_8 iso8859_9 iso8859_10 iso8859_11 iso8859_13 iso8859_14
iso8859_15 iso8859_16 cp1250 cp1251 cp1252 cp1253 cp1254 cp1255 cp1256
cp1257 cp1258 cp874 koi8_r koi8_u koi8_t cp437 cp737 cp775 cp850 cp852
cp855 cp857 cp858 cp860 cp861 cp862 cp863 cp865 cp866 cp869
mac_cyrillic mac_greek mac_iceland mac_latin2 mac_roman mac_turkish
ptcp154 tis_620 hp_roman8 kz1048""".split()

# codec -> (iconv charset, tokenizer)
MBCS = {
    "shift_jis": ("SHIFT_JIS", "SJIS"),
    "cp932": ("CP932", "SJIS"),
    "euc_jp": ("EUC-JP", "EUCJP"),
    "euc_kr": ("EUC-KR", "EUC"),
    "cp949": ("CP949", "DBCS"),
    "big5": ("BIG5", "DBCS"),
    "gbk": ("GBK", "DBCS"),
    "gb2312": ("EUC-CN", "EUC"),
    "gb18030": ("GB18030", "GB18030"),
}

# codecs handled in C without tables
SPECIAL = {"utf_8": "UTF8", "utf_16": "UTF16", "utf_16_le": "UTF16LE",
           "utf_16_be": "UTF16BE", "utf_32": "UTF32", "utf_32_le": "UTF32LE",
           "utf_32_be": "UTF32BE"}

libc = ctypes.CDLL("libc.so.6", use_errno=True)
libc.iconv_open.restype = ctypes.c_void_p
libc.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.iconv.restype = ctypes.c_size_t
libc.iconv.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p),
                       ctypes.POINTER(ctypes.c_size_t),
                       ctypes.POINTER(ctypes.c_char_p),
                       ctypes.POINTER(ctypes.c_size_t)]
libc.iconv_close.argtypes = [ctypes.c_void_p]
libc.gnu_get_libc_version.restype = ctypes.c_char_p


def iconv_decode(cd, b):
    libc.iconv(cd, None, None, None, None)
    inb = ctypes.create_string_buffer(b, len(b))
    cap = len(b) * 8 + 16
    outb = ctypes.create_string_buffer(cap)
    ip = ctypes.c_char_p(ctypes.addressof(inb))
    il = ctypes.c_size_t(len(b))
    op = ctypes.c_char_p(ctypes.addressof(outb))
    ol = ctypes.c_size_t(cap)
    if libc.iconv(cd, ctypes.byref(ip), ctypes.byref(il), ctypes.byref(op),
                  ctypes.byref(ol)) == ctypes.c_size_t(-1).value:
        return None
    if libc.iconv(cd, None, None, ctypes.byref(op),
                  ctypes.byref(ol)) == ctypes.c_size_t(-1).value:
        return None
    return outb.raw[:cap - ol.value]


def py_decode(codec, b):
    try:
        return b.decode(codec).encode("utf-8")
    except UnicodeError:
        return None


def toklen(tok, b0, b1):
    """Length of the character starting with byte b0 (next byte b1)."""
    if tok == "SJIS":
        return 2 if 0x81 <= b0 <= 0x9F or 0xE0 <= b0 <= 0xFC else 1
    if tok == "EUCJP":
        if b0 == 0x8F:
            return 3
        return 2 if b0 == 0x8E or 0xA1 <= b0 <= 0xFE else 1
    if tok == "DBCS":
        return 2 if 0x81 <= b0 <= 0xFE else 1
    if tok == "EUC":
        return 2 if 0xA1 <= b0 <= 0xFE else 1
    if tok == "GB18030":
        if not 0x81 <= b0 <= 0xFE:
            return 1
        return 4 if b1 is not None and 0x30 <= b1 <= 0x39 else 2
    raise ValueError(tok)


def tokens(tok):
    for a in range(256):
        if toklen(tok, a, None) == 1:
            yield bytes([a])
    for a in range(256):
        for b in range(256):
            if toklen(tok, a, b) == 2:
                yield bytes([a, b])
    if tok == "EUCJP":
        for b in range(256):
            for c in range(256):
                yield bytes([0x8F, b, c])
    if tok == "GB18030":
        for a in range(0x81, 0xFF):
            for b in range(0x30, 0x3A):
                for c in range(0x81, 0xFF):
                    for d in range(0x30, 0x3A):
                        yield bytes([a, b, c, d])


def c_string(b):
    out = []
    for x in b:
        if 0x20 <= x < 0x7F and x not in (0x22, 0x5C, 0x3F):
            out.append(chr(x))
        else:
            out.append("\\%03o" % x)
    return '"' + "".join(out) + '"'


def normalize(name):
    """encodings.normalize_encoding() after codecs.lookup()'s lower()."""
    chars, punct = [], False
    for c in name.lower():
        if c.isalnum() or c == ".":
            if punct and chars:
                chars.append("_")
            if c.isascii():
                chars.append(c)
            punct = False
        else:
            punct = True
    return "".join(chars)


def main():
    w = sys.stdout.write
    w("/*\n * charsets.inc - generated by gen-charsets.py from the codecs"
      " of Python %s\n * and glibc %s iconv: do not edit; run the script"
      " again.\n */\n\n" % (sys.version.split()[0],
                            libc.gnu_get_libc_version().decode()))
    names = []          # (codec, kind, data symbol, iconv, tokenizer, nov)
    for codec in SBCS:
        info = codecs.lookup(codec)
        low = [py_decode(codec, bytes([b])) for b in range(128)]
        if any(low[b] != bytes([b]) for b in range(128)):
            sys.exit("gen-charsets: %s: lower half is not ASCII" % codec)
        cps = []
        for b in range(128, 256):
            d = py_decode(codec, bytes([b]))
            if d is None:
                cps.append(0xFFFF)
            else:
                s = d.decode("utf-8")
                if len(s) != 1 or ord(s) >= 0xFFFF:
                    sys.exit("gen-charsets: %s: byte %02x -> %r"
                             % (codec, b, s))
                cps.append(ord(s))
        w("static const uint16_t sb_%s[128] = {\n" % codec)
        for i in range(0, 128, 8):
            w("\t" + ", ".join("0x%04x" % c for c in cps[i:i + 8]) + ",\n")
        w("};\n\n")
        names.append((info.name, codec, "CK_SBCS", "sb_" + codec, None,
                      "TOK_NONE", 0))
    for codec, (charset, tok) in MBCS.items():
        info = codecs.lookup(codec)
        cd = libc.iconv_open(b"UTF-8", charset.encode())
        if cd in (None, ctypes.c_void_p(-1).value):
            sys.exit("gen-charsets: iconv has no %s" % charset)
        ov = []
        for t in tokens(tok):
            p = py_decode(codec, t)
            if p != iconv_decode(cd, t):
                ov.append((len(t), int.from_bytes(t, "big"), p))
        libc.iconv_close(cd)
        ov.sort()
        w("static const struct cs_override ov_%s[] = {\n" % codec)
        for n, key, p in ov:
            w("\t{ 0x%0*x, %d, %s },\n" % (2 * n, key, n,
                                          "NULL" if p is None else c_string(p)))
        if not ov:
            w("\t{ 0, 0, NULL }\n")
        w("};\n\n")
        names.append((info.name, codec, "CK_MBCS", "NULL", charset,
                      "TOK_" + tok, len(ov)))
    for codec, kind in SPECIAL.items():
        info = codecs.lookup(codec)
        names.append((info.name, codec, "CK_" + kind, "NULL", None,
                      "TOK_NONE", 0))

    w("static const struct charset cs_codecs[] = {\n")
    for i, (pyname, codec, kind, data, charset, tok, nov) in enumerate(names):
        w("\t{ \"%s\", %s, %s, %s, %s, %s, %d },\n" % (
            pyname, kind, data, "ov_" + codec if kind == "CK_MBCS" else "NULL",
            '"%s"' % charset if charset else "NULL", tok, nov))
    w("};\n\n")

    index = {codec: i for i, (_, codec, *_rest) in enumerate(names)}
    alias = {}
    for a, mod in encodings.aliases.aliases.items():
        # a few keys are not normalized, so Python itself never finds them
        if mod in index and normalize(a) == a:
            alias[a] = index[mod]
    for codec in index:
        alias[codec] = index[codec]
    # every alias must resolve in Python to the same codec
    for a, i in alias.items():
        if codecs.lookup(a).name != names[i][0]:
            sys.exit("gen-charsets: alias %s is %s in Python" %
                     (a, codecs.lookup(a).name))
    w("/* normalized names (see charset.c), sorted for bsearch() */\n")
    w("static const struct cs_alias cs_aliases[] = {\n")
    for a in sorted(alias):
        if normalize(a) != a:
            sys.exit("gen-charsets: alias %s is not normalized" % a)
        w("\t{ \"%s\", %d },\n" % (a, alias[a]))
    w("};\n")


if __name__ == "__main__":
    main()
