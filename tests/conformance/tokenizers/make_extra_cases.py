#!/usr/bin/env python3
"""Write extra-cases.jsonl: texts for what edge-cases.jsonl does not cover --
added-token options (lstrip, rstrip, single_word, normalized), digits, split
behaviours, literal patterns, template tokens, long pieces, and characters
newer than Unicode 14.
Run: python3 make_extra_cases.py"""
import json
C = [
    "x <mask> y", "x<mask>y", "a\t<mask>\u2000b", "<mask><mask>", "  <mask>  ", " <mask>",
    "<mask>\n\nnext", "Hello there", "Helloworld", "Hello   world", "say Hello\t\tagain",
    "zzqx zzqx", "azzqx zzqxb _zzqx zzqx_", "zzqx, zzqx.", "\u00e9zzqx zzqx\u00e9", "zzqx\u0301",
    "TODO: fix TODO", "xTODOx", "<|endoftext|><|endoftext|><|endoftext|>", "a<|endoftext|>b",
    "1,234,567.89", "x = 12345678901", "\u0663\u0664\u0665 digits \u00b2\u00b3", "v1.2.3-rc4",
    "a  b   c    d", " lead", "trail ", "end.", ".start", "a.b.c", "a::b::c", "::", ":::",
    "std::vector<int> v;", "don't stop", "it's 'quoted'", "C:\\path\\to", "__init__(self)",
    "ABCdef XYZ abcDEF", "caf\u00e9 na\u00efve \u00e9t\u00e9", "\u4e2d\u6587 \u65e5\u672c\u8a9e",
    "emoji \U0001F600\U0001F600 end", "tab\there\r\nline", "  \n  \n", "\u00a0nbsp\u00a0",
    "x = [1, 2, 3]\nfor i in x:\n    print(i)\n",
    "#include <stdio.h>\nint main(void) { return 0; } // 42\n",
    "a" * 3000, "ab " * 700 + "end", "1234567890" * 50, " " * 700 + "x",
    "<s>tag</s> <pad><unk>", "def f(): return <mask> + 1",
]
# characters Unicode 15 and 16 made letters, marks and numbers (PCRE2 10.42 has
# Unicode 14; both references have 16.0): before "'s", the class decides
# whether the apostrophe joins them
C += [chr(cp) + "'s x" for cp in (0x1D2C0, 0x10D40, 0x11F50, 0x31350, 0x2EBF0,
                                  0x11F04, 0x1E030, 0xA7CB, 0x1C89, 0x1E4D0,
                                  0x16D40, 0x0CF3, 0x0897, 0x1611E)]
with open("extra-cases.jsonl", "w", encoding="utf-8") as f:
    for i, s in enumerate(C):
        f.write(json.dumps({"blob_id": "extra-%03d" % i, "content": s}, ensure_ascii=True) + "\n")
print(len(C), "records")
