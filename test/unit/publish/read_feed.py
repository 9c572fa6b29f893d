"""Reads a feed the way a feed reader would (feedparser) and parses its HTML fields with html5lib in strict
mode, as the W3C validator does (feedvalidator validators.py HTMLValidator). Prints one JSON object.

usage: read_feed.py FILE FORMAT   (FORMAT: rss | atom | json)
       read_feed.py FILE html-list  (FILE: a JSON array of HTML fragments; prints their strict-parse errors)
"""
import json
import sys
import time
import xml.etree.ElementTree as ET

import feedparser

try:
    import html5lib
    from html5lib.html5parser import ParseError
except ImportError:  # the html checks are then reported as skipped
    html5lib = None

ATOM = '{http://www.w3.org/2005/Atom}'
CONTENT = '{http://purl.org/rss/1.0/modules/content/}'


def iso(parsed):
    # feedparser gives UTC struct_time values; fractions of a second are dropped
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', parsed) if parsed else None


def reads_json_feed():
    try:
        import feedparser.parsers.json  # noqa: F401  (feedparser >= 6.1)
        return True
    except ImportError:
        return False


def html_fields(path, fmt):
    """(where, html) for every field that carries escaped HTML."""
    if fmt == 'json':
        with open(path, encoding='utf-8') as f:
            doc = json.load(f)
        return [('items[%d].content_html' % i, it['content_html'])
                for i, it in enumerate(doc.get('items', [])) if 'content_html' in it]
    root = ET.parse(path).getroot()  # expat: a second, independent well-formedness check
    fields = []
    if fmt == 'rss':
        for i, item in enumerate(root.find('channel').findall('item')):
            for tag in ('description', CONTENT + 'encoded'):
                el = item.find(tag)
                if el is not None:
                    fields.append(('item[%d]/%s' % (i, tag), el.text or ''))
    else:
        for i, entry in enumerate(root.findall(ATOM + 'entry')):
            for tag in ('content', 'summary'):
                el = entry.find(ATOM + tag)
                if el is not None and el.get('type') == 'html':
                    fields.append(('entry[%d]/%s' % (i, tag), el.text or ''))
    return fields


def strict_html_errors(fields):
    if html5lib is None:
        return None
    errors = []
    for where, html in fields:
        try:
            html5lib.HTMLParser(strict=True).parseFragment(html)
        except ParseError as e:
            errors.append('%s: %s in %r' % (where, e, html[:200]))
    return errors


def main():
    path, fmt = sys.argv[1], sys.argv[2]
    if fmt == 'html-list':
        with open(path, encoding='utf-8') as f:
            fragments = json.load(f)
        json.dump({'html_errors': strict_html_errors(
            [('fragment[%d]' % i, h) for i, h in enumerate(fragments)])}, sys.stdout, ensure_ascii=False)
        return
    parsed = feedparser.parse(path)
    out = {
        'reads_json_feed': reads_json_feed(),
        'version': parsed.get('version'),
        'bozo': int(parsed.get('bozo', 0)),
        'bozo_exception': str(parsed.get('bozo_exception')) if parsed.get('bozo') else None,
        'feed': {
            'title': parsed.feed.get('title'),
            'link': parsed.feed.get('link'),
            'id': parsed.feed.get('id'),
        },
        'entries': [{
            'id': e.get('id'),
            'title': e.get('title'),
            'link': e.get('link'),
            'published': iso(e.get('published_parsed')),
            'updated': iso(e.get('updated_parsed')),
            'tags': [t.get('term') for t in e.get('tags', [])],
            'author': e.get('author'),
        } for e in parsed.entries],
        'html_errors': strict_html_errors(html_fields(path, fmt)),
    }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == '__main__':
    main()
