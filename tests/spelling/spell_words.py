#!/usr/bin/env python3
"""Checks the spelling of the text a user reads in HTML pages.

Usage: spell_words.py DICTIONARY ACCEPTED_LIST NAMES CODES FILE.html...
       spell_words.py --text FILE.html  (prints the visible text)

NAMES holds further accepted words, one a line: the place names of the
data the pages were made from. CODES holds the instrument's stored codes
(«baseline», «follow_up»): shown to a user they are defects even where the
dictionary knows the word, and so is any snake_case code.

Takes the visible text of each page (not <script> or <style>, but alt,
title and aria-label, which screen readers read), splits it into words,
asks hunspell which it does not know, and removes the reviewed words in
ACCEPTED_LIST. Prints what was checked; exits 1 listing every unknown
word with its count and the pages it is on.
"""
import collections
import html.parser
import re
import subprocess
import sys

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Addresses, paths and file names are not words: «/tmp/x/samkart.sqlite»,
# «https://…», «kommuner.csv», «.sav/.zsav». A single slash between words
# («barn/unge») is text and stays.
# A label cut short to fit a chart («… av bekymri…») ends in an ellipsis.
NOT_WORDS = re.compile(r"\S*://\S*|(?<!\S)/\S*|\S*/\S*/\S*|\w+…|"
                       r"\S*\.(?:csv|xlsx|xls|sav|zsav|dta|sqlite|html|pdf|json|txt)\b\S*")
CODE = re.compile(r"(?<![\w/.-])[a-z]+(?:_[a-z]+)+(?![\w/.-])")
READ_ALOUD = ("alt", "title", "aria-label", "placeholder")


class VisibleText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.strings = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in READ_ALOUD and value and value.strip():
                self.strings.append(value.strip())
            if tag == "input" and name == "value" and value and \
                    ("type", "submit") in attrs:
                self.strings.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden > 0:
            self._hidden -= 1

    def handle_data(self, data):
        if self._hidden == 0 and data.strip():
            self.strings.append(data.strip())


def read_accepted(path):
    accepted = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            word = line.split("#", 1)[0].strip()
            if word:
                accepted.add(word)
    return accepted


def unknown_to_hunspell(dictionary, words):
    run = subprocess.run(["hunspell", "-d", dictionary, "-l", "-i", "utf-8"],
                         input="\n".join(words) + "\n", capture_output=True,
                         text=True, check=False)
    if run.returncode != 0:
        sys.exit(f"hunspell -d {dictionary} feilet: {run.stderr.strip()}")
    return set(run.stdout.split())


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--text":
        parser = VisibleText()
        with open(sys.argv[2], encoding="utf-8") as f:
            parser.feed(f.read())
        print("\n".join(parser.strings))
        return 0
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    dictionary, accepted_path, names_path, codes_path = sys.argv[1:5]
    pages = sys.argv[5:]
    with open(codes_path, encoding="utf-8") as f:
        stored_codes = {line.strip() for line in f if line.strip()}
    codes = collections.Counter()
    counts = collections.Counter()
    where = collections.defaultdict(set)
    strings = 0
    for page in pages:
        parser = VisibleText()
        with open(page, encoding="utf-8") as f:
            parser.feed(f.read())
        strings += len(parser.strings)
        for text in parser.strings:
            visible = NOT_WORDS.sub(" ", text)
            shown = [w for w in re.findall(r"\w+", visible) if w in stored_codes]
            shown += [c for c in CODE.findall(visible) if c not in stored_codes]
            for code in shown:
                codes[code] += 1
                where[code].add(page.rsplit("/", 1)[-1])
            for word in WORD.findall(visible):
                if len(word) > 1:
                    counts[word] += 1
                    where[word].add(page.rsplit("/", 1)[-1])
    unknown = unknown_to_hunspell(dictionary, sorted(counts))
    accepted = read_accepted(accepted_path)
    names = set(WORD.findall(open(names_path, encoding="utf-8").read()))
    # A lower-case entry also accepts the word capitalised at a sentence's start.
    listed = {w for w in unknown if w in accepted or w.lower() in accepted}
    flagged = sorted(w for w in unknown if w not in listed and w not in names)
    used = sorted(listed)
    named = sorted(w for w in unknown if w in names and w not in listed)
    print(f"{len(pages)} sider, {strings} tekststrenger, {sum(counts.values())} ord, "
          f"{len(counts)} forskjellige ord")
    print(f"{len(unknown)} ukjente for ordboka {dictionary}: {len(used)} godtatt fra listen, "
          f"{len(named)} stedsnavn fra dataene, {len(flagged)} feil")
    seen = set(counts) | {w.lower() for w in counts}
    unused = sorted(accepted - seen)
    if unused:
        print("I listen, men ikke i tekstene (kan fjernes): " + ", ".join(unused))
    print(f"{len(codes)} lagrede koder vist som tekst")
    if codes:
        print("Koder der brukeren skulle sett en tekst (antall, sider):")
        for code in sorted(codes):
            print(f"  {code}  {codes[code]}  {', '.join(sorted(where[code]))}")
    if flagged:
        print("Ukjente ord (antall, sider):")
        for word in flagged:
            print(f"  {word}  {counts[word]}  {', '.join(sorted(where[word]))}")
    return 1 if flagged or codes else 0


if __name__ == "__main__":
    sys.exit(main())
