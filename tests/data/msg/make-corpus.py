#!/usr/bin/env python3
"""Writes the tricky-message corpus: NAME.eml and NAME.tree (the expected
mime_tree_summary(): one line per node, "type/subtype cte=ENC size=N
[file="F"] [defects=...]"). Each case is named for what it tests. The .tree
files are our expectations written by hand here, not parser output."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []


def case(name, eml, tree, crlf=True):
    data = eml.replace("\n", "\r\n") if crlf else eml
    CASES.append((name, data.encode("latin-1") if isinstance(data, str) else data, tree))


B64_JPG = "/9j/4AAQSkZJRgABAQ=="  # 13 bytes decoded

case("plain-ascii", "From: a@b.c\nSubject: hi\n\nhello\n", "text/plain cte=7bit size=7\n")
case("lf-only-line-endings", "From: a@b.c\nSubject: hi\n\nhello\n", "text/plain cte=7bit size=6 defects=lf-line-endings\n", crlf=False)
case("no-body-separator-eof", "From: a@b.c\nSubject: hi", "text/plain cte=7bit size=0 defects=no-body\n")
case("empty-message", "", "text/plain cte=7bit size=0 defects=no-body\n")
case("header-without-colon-starts-body", "From: a@b.c\nthis is body\n", "text/plain cte=7bit size=14 defects=no-header-separator\n")
case("leading-continuation-line", "  folded first\nFrom: a@b.c\n\nx", "text/plain cte=7bit size=1 defects=header-starts-folded\n")
case("mbox-from-line", "From juan@x Mon May  1 10:00:00 2006\nFrom: a@b.c\n\nbody", "text/plain cte=7bit size=4\n")
case("header-name-space-before-colon", "Subject : odd\n\nx", "text/plain cte=7bit size=1 defects=header-name-space\n")
case("header-8bit-latin1", "Subject: caf\xe9\n\nx", "text/plain cte=7bit size=1 defects=header-8bit\n")
case("header-line-over-998", "X-Long: " + "a" * 1200 + "\n\nx", "text/plain cte=7bit size=1 defects=header-line-too-long\n")
case("simple-multipart-mixed",
     "Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\none\n--XX\n\ntwo\n--XX--\n",
     "multipart/mixed parts=2\n  text/plain cte=7bit size=3\n  text/plain cte=7bit size=3\n")
case("multipart-lf-only",
     "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n\none\n--XX--\n",
     "multipart/mixed parts=1 defects=lf-line-endings\n  text/plain cte=7bit size=3 defects=lf-line-endings\n", crlf=False)
case("missing-final-boundary",
     "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n\none\n--XX\n\ntwo\n",
     "multipart/mixed parts=2 defects=no-end-boundary\n  text/plain cte=7bit size=3\n  text/plain cte=7bit size=5\n")
case("no-boundary-found",
     "Content-Type: multipart/mixed; boundary=XX\n\njust text, no delimiters\n",
     "multipart/mixed parts=0 defects=no-start-boundary\n")
case("multipart-without-boundary-param",
     "Content-Type: multipart/mixed\n\n--XX\n\none\n--XX--\n",
     "text/plain cte=7bit size=21 defects=no-boundary-param\n")
case("preamble-and-epilogue",
     "Content-Type: multipart/mixed; boundary=\"b 1\"\n\nThis is a preamble.\n--b 1\n\nbody\n--b 1--\nand an epilogue\n",
     "multipart/mixed parts=1\n  text/plain cte=7bit size=4\n")
case("boundary-with-trailing-space",
     "Content-Type: multipart/mixed; boundary=XX\n\n--XX  \n\none\n--XX--\t\n",
     "multipart/mixed parts=1\n  text/plain cte=7bit size=3\n")
case("boundary-prefix-not-a-delimiter",
     "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n\n--XXY is content\n--XX--\n",
     "multipart/mixed parts=1\n  text/plain cte=7bit size=16\n")
case("nested-boundary-prefix",
     "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/alternative; boundary=ab\n\n--ab\n\nx\n--ab\n\ny\n--ab--\n--a--\n",
     "multipart/mixed parts=1\n  multipart/alternative parts=2\n    text/plain cte=7bit size=1\n    text/plain cte=7bit size=1\n")
case("empty-parts",
     "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n--XX\n\n--XX--\n",
     "multipart/mixed parts=2\n  text/plain cte=7bit size=0\n  text/plain cte=7bit size=0\n")
case("part-without-headers-or-blank-line",
     "Content-Type: multipart/mixed; boundary=XX\n\n--XX\ntext right away\n--XX--\n",
     "multipart/mixed parts=1\n  text/plain cte=7bit size=15 defects=no-header-separator\n")
case("content-type-odd-case-and-spaces",
     "CONTENT-TYPE:  Multipart/MIXED ;  BOUNDARY = \"XX\" \n\n--XX\nContent-type: TEXT/Plain; CharSet=ISO-8859-1\n\nx\n--XX--\n",
     "multipart/mixed parts=1\n  text/plain cte=7bit size=1\n")
case("content-type-with-comments",
     "Content-Type: text/plain (plain text); charset=us-ascii (ok)\n\nx",
     "text/plain cte=7bit size=1\n")
case("content-type-garbage",
     "Content-Type: garbage\n\nx",
     "text/plain cte=7bit size=1 defects=bad-content-type\n")
case("duplicate-content-type",
     "Content-Type: text/html\nContent-Type: image/png\n\nx",
     "text/html cte=7bit size=1 defects=duplicate-mime-field\n")
case("duplicate-parameter",
     "Content-Type: text/plain; name=a.txt; name=b.txt\n\nx",
     "text/plain cte=7bit size=1 file=\"a.txt\" defects=bad-parameter\n")
case("unterminated-quoted-parameter",
     "Content-Type: text/plain; name=\"open.txt\n\nx",
     "text/plain cte=7bit size=1 file=\"open.txt\" defects=bad-parameter\n")
case("base64-body",
     "Content-Type: image/jpeg\nContent-Transfer-Encoding: base64\n\n" + B64_JPG + "\n",
     "image/jpeg cte=base64 size=13\n")
case("base64-garbage-characters",
     "Content-Type: image/jpeg\nContent-Transfer-Encoding: BASE64\n\n/9j/4AAQ*Sk!ZJRg\nABAQ==\n",
     "image/jpeg cte=base64 size=13 defects=base64-invalid-char\n")
case("base64-missing-padding",
     "Content-Type: image/jpeg\nContent-Transfer-Encoding: base64\n\n/9j/4AAQSkZJRgABAQ\n",
     "image/jpeg cte=base64 size=13 defects=base64-padding\n")
case("quoted-printable-body",
     "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nMar=C3=ADa =\ncontinues=3D\n",
     "text/plain cte=quoted-printable size=19\n")
case("quoted-printable-bad-escapes",
     "Content-Transfer-Encoding: quoted-printable\n\n100% =ZZ=4\n",
     "text/plain cte=quoted-printable size=12 defects=qp-bad-escape\n")
case("unknown-transfer-encoding",
     "Content-Transfer-Encoding: x-uuencode\n\nbegin 644 f\n",
     "text/plain cte=x-uuencode size=13 defects=unknown-cte\n")
case("base64-on-multipart",
     "Content-Type: multipart/mixed; boundary=XX\nContent-Transfer-Encoding: base64\n\n--XX\n\nx\n--XX--\n",
     "multipart/mixed parts=1 defects=encoded-composite\n  text/plain cte=7bit size=1\n")
case("8bit-body-declared-7bit",
     "Content-Type: text/plain; charset=iso-8859-1\n\nol\xe9\n",
     "text/plain cte=7bit size=5 defects=8bit-in-7bit-body\n")
case("rfc2231-filename",
     "Content-Type: application/pdf\nContent-Disposition: attachment; filename*=utf-8''informe%20a%C3%B1o.pdf\n\nx",
     "application/pdf cte=7bit size=1 file=\"informe año.pdf\"\n")
case("rfc2231-continuations",
     "Content-Type: application/pdf\nContent-Disposition: attachment;\n filename*0*=iso-8859-1'es'canci%F3n;\n filename*1=\" para \";\n filename*2*=Mar%EDa.wav\n\nx",
     "application/pdf cte=7bit size=1 file=\"canción para María.wav\"\n")
case("rfc2231-out-of-order",
     "Content-Type: application/pdf\nContent-Disposition: attachment; filename*1=\"b.txt\"; filename*0=\"a\"\n\nx",
     "application/pdf cte=7bit size=1 file=\"ab.txt\"\n")
case("rfc2047-in-filename",
     "Content-Type: image/jpeg; name=\"=?utf-8?q?foto_de_Mar=C3=ADa.jpg?=\"\n\nx",
     "image/jpeg cte=7bit size=1 file=\"foto de María.jpg\"\n")
case("name-only-in-content-type",
     "Content-Type: audio/wav; name=serenata.wav\n\nx",
     "audio/wav cte=7bit size=1 file=\"serenata.wav\"\n")
case("utf8-raw-filename",
     "Content-Type: image/jpeg\nContent-Disposition: attachment; filename=\"\xc3\xb1and\xc3\xba.jpg\"\n\nx",
     "image/jpeg cte=7bit size=1 file=\"ñandú.jpg\" defects=header-8bit\n")
case("message-rfc822-part",
     "Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: message/rfc822\n\nFrom: x@y.z\nSubject: inner\n\ninner body\n--XX--\n",
     "multipart/mixed parts=1\n  message/rfc822 message\n    text/plain cte=7bit size=10\n")
case("message-rfc822-with-multipart-inside",
     "Content-Type: message/rfc822\n\nContent-Type: multipart/alternative; boundary=in\n\n--in\n\na\n--in\nContent-Type: text/html\n\n<b>a</b>\n--in--\n",
     "message/rfc822 message\n  multipart/alternative parts=2\n    text/plain cte=7bit size=1\n    text/html cte=7bit size=8\n")
case("message-rfc822-base64",
     "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeAoKeQo=\n",
     "message/rfc822 cte=base64 size=14 defects=encoded-composite\n")
case("multipart-digest-default-type",
     "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\n1\n--d\n\nSubject: two\n\n2\n--d--\n",
     "multipart/digest parts=2\n  message/rfc822 message\n    text/plain cte=7bit size=1\n  message/rfc822 message\n    text/plain cte=7bit size=1\n")
case("multipart-related-with-cid",
     "Content-Type: multipart/related; type=\"text/html\"; boundary=r\n\n--r\nContent-Type: text/html\n\n<img src=\"cid:foto\">\n--r\nContent-Type: image/jpeg\nContent-ID: <foto>\nContent-Transfer-Encoding: base64\n\n" + B64_JPG + "\n--r--\n",
     "multipart/related parts=2\n  text/html cte=7bit size=20\n  image/jpeg cte=base64 size=13\n")
case("deeply-nested-alternatives",
     "Content-Type: multipart/mixed; boundary=1\n\n--1\nContent-Type: multipart/alternative; boundary=2\n\n--2\nContent-Type: multipart/related; boundary=3\n\n--3\n\nx\n--3--\n--2--\n--1--\n",
     "multipart/mixed parts=1\n  multipart/alternative parts=1\n    multipart/related parts=1\n      text/plain cte=7bit size=1\n")
case("outer-end-closes-inner",
     "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/alternative; boundary=i\n\n--i\n\nx\n--o--\n",
     "multipart/mixed parts=1\n  multipart/alternative parts=1 defects=no-end-boundary\n    text/plain cte=7bit size=1\n")
case("mixed-crlf-and-lf",
     b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=m\n\r\n--m\r\n\nx\n--m--\r\n",
     "multipart/mixed parts=1 defects=lf-line-endings\n  text/plain cte=7bit size=1 defects=lf-line-endings\n", crlf=False)
case("duplicate-subject-headers",
     "Subject: one\nSubject: two\nFrom: a@b.c\n\nx",
     "text/plain cte=7bit size=1\n")
case("encoded-word-subject-latin1",
     "Subject: =?ISO-8859-1?Q?Hola,_=BFc=F3mo_est=E1s=3F?=\n\nx",
     "text/plain cte=7bit size=1\n")
case("inline-disposition-no-filename",
     "Content-Type: text/plain\nContent-Disposition: INLINE\n\nx",
     "text/plain cte=7bit size=1\n")
case("nul-bytes-in-body",
     b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\na\x00b\x00c",
     "application/octet-stream cte=binary size=5\n", crlf=False)


def main():
    for name, data, tree in CASES:
        with open(os.path.join(HERE, name + ".eml"), "wb") as f:
            f.write(data)
        with open(os.path.join(HERE, name + ".tree"), "w", encoding="utf-8") as f:
            f.write(tree)
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
