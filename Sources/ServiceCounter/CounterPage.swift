import Foundation
import Inspection
import Messages

/// The counter page: one HTML document, its style sheet and its script, all served by the counter
/// itself (no external resource, so it works without a network and under a strict
/// Content-Security-Policy). The script places the desk's snapshots with `textContent` only: a
/// value from a card never becomes markup.
enum CounterPage {
    /// The page in `m`'s language, carrying `token` for the state-changing requests.
    static func html(_ m: Messages, token: String) -> String {
        let e = HTMLReport.escape
        let strings: [String: String] = [
            "cardIn": m[.counterCardIn], "noCard": m[.counterNoCard], "print": m[.counterPrint], "save": m[.counterSave],
            "done": m[.counterDone], "tryAgain": m[.counterTryAgain], "removeToClear": m[.counterRemoveToClear],
            "details": m[.counterDetails], "photo": m[.photo], "checks": m[.checks], "check": m[.check], "status": m[.status],
            "reason": m[.reason], "holder": m[.holder],
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // In a <script> element only "</" could end it early: escape every "<".
        let json = String(decoding: (try? encoder.encode(strings)) ?? Data("{}".utf8), as: UTF8.self)
            .replacingOccurrences(of: "<", with: "\\u003c")
        return """
            <!DOCTYPE html>
            <html lang="\(m.language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="counter-token" content="\(e(token))">
            <meta name="referrer" content="no-referrer">
            <title>\(e(m[.counterTitle]))</title>
            <link rel="stylesheet" href="/counter.css">
            <script src="/counter.js" defer></script>
            </head>
            <body data-state="waiting">
            <header>
              <h1>\(e(m[.counterTitle]))</h1>
              <div class="readers"><span class="label">\(e(m[.counterReaders])):</span> <ul id="readers"></ul></div>
            </header>
            <main>
              <p id="disconnected" class="disconnected" hidden>\(e(m[.counterDisconnected]))</p>
              <p id="status" class="status" role="status" aria-live="polite"></p>
              <section id="key" hidden>
                <form id="key-form" autocomplete="off">
                  <label class="can">\(e(m[.counterCAN]))
                    <input id="can" name="can" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="off" spellcheck="false">
                  </label>
                  <details id="other-key">
                    <summary>\(e(m[.counterOtherKey]))</summary>
                    <label>\(e(m[.counterMRZ]))<textarea id="mrz" rows="3" autocomplete="off" spellcheck="false"></textarea></label>
                    <label>\(e(m[.counterIDNumber]))<input id="id" autocomplete="off" spellcheck="false"></label>
                    <label>\(e(m[.counterDateOfBirth]))<input id="dob" inputmode="numeric" maxlength="6" autocomplete="off"></label>
                    <label>\(e(m[.counterDateOfExpiry]))<input id="doe" inputmode="numeric" maxlength="6" autocomplete="off"></label>
                  </details>
                  <button type="submit" id="read">\(e(m[.counterRead]))</button>
                  <p id="key-error" class="key-error" role="alert"></p>
                </form>
              </section>
              <section id="progress" hidden>
                <progress id="progress-bar"></progress>
                <p id="progress-text"></p>
              </section>
              <section id="failure" class="failure" hidden>
                <p class="what"></p>
                <p class="advice"></p>
                <details><summary>\(e(m[.counterDetails]))</summary><p class="detail mono"></p></details>
                <button type="button" id="try-again">\(e(m[.counterTryAgain]))</button>
              </section>
              <section id="result" hidden></section>
            </main>
            <script type="application/json" id="strings">\(json)</script>
            </body>
            </html>

            """
    }

    static let style = """
        * { box-sizing: border-box; }
        body { margin: 0; font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; font-size: 18px; color: #1d1d1f; background: #f4f5f7; }
        header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1em; padding: .6em 1.2em; background: #12355b; color: #fff; }
        header h1 { margin: 0; font-size: 1.4em; }
        .readers { font-size: .85em; }
        .readers ul { display: inline; margin: 0; padding: 0; list-style: none; }
        .readers li { display: inline-block; margin-right: 1em; padding: .1em .5em; border-radius: .3em; background: #2b4d74; }
        .readers li.card { background: #2e7d32; }
        .readers li.current { outline: 2px solid #fff; }
        main { max-width: 1100px; margin: 1em auto; padding: 0 1em; }
        .status { font-size: 1.6em; font-weight: 600; margin: .4em 0 .8em; }
        body[data-state="result"] .status { display: none; }
        .disconnected { background: #fff3cd; border: 1px solid #b26a00; padding: .5em 1em; }
        form { background: #fff; padding: 1em 1.2em; border-radius: .5em; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
        label { display: block; margin: .6em 0; font-weight: 600; }
        input, textarea { display: block; font-size: 1.2em; padding: .3em .4em; margin-top: .2em; font-family: "DejaVu Sans Mono", monospace; }
        #can { font-size: 2.4em; width: 7.5em; letter-spacing: .25em; }
        textarea { width: 100%; }
        details { margin: .6em 0; }
        button { font-size: 1.1em; padding: .5em 1.2em; margin: .5em .6em .5em 0; border-radius: .4em; border: 1px solid #12355b; background: #12355b; color: #fff; cursor: pointer; }
        a.button { display: inline-block; font-size: 1.1em; padding: .5em 1.2em; margin: .5em .6em .5em 0; border-radius: .4em; border: 1px solid #12355b; text-decoration: none; }
        button.secondary, a.button.secondary { background: #fff; color: #12355b; }
        .key-error { color: #b3261e; font-weight: 600; min-height: 1.2em; }
        progress { width: 100%; height: 1.6em; }
        .failure { background: #fdecea; border-left: .5em solid #b3261e; padding: .8em 1.2em; }
        .failure .what { font-size: 1.5em; font-weight: 700; color: #b3261e; margin: 0; }
        .mono { font-family: "DejaVu Sans Mono", monospace; font-size: .8em; word-break: break-all; }
        .verdict { color: #fff; padding: .6em 1em; border-radius: .4em; }
        .verdict .headline { font-size: 2.2em; font-weight: 800; margin: 0; }
        .verdict .explanation { margin: .2em 0 0; }
        .verdict.genuine { background: #1b7f3b; }
        .verdict.not-genuine { background: #b3261e; }
        .verdict.unverified { background: #b26a00; }
        .advice { font-weight: 600; }
        .holder { display: flex; gap: 1.2em; align-items: flex-start; margin: 1em 0; background: #fff; padding: 1em; border-radius: .5em; }
        .holder img, .holder .no-photo { width: 180px; min-width: 180px; height: 240px; object-fit: cover; border: 1px solid #999; background: #eee; }
        .holder .no-photo { display: flex; align-items: center; justify-content: center; text-align: center; font-size: .8em; padding: .5em; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: .25em .5em; border-bottom: 1px solid #ddd; }
        .fields th { width: 14em; color: #444; font-weight: 600; }
        .fields td { font-size: 1.1em; }
        .checks { background: #fff; }
        td.passed { color: #1b7f3b; font-weight: 700; }
        td.failed { color: #b3261e; font-weight: 700; }
        .hint { color: #555; font-style: italic; }
        .detail-line { color: #666; font-size: .75em; margin-top: .2em; }
        body[data-state="failed"] .status { display: none; }
        .failure .what::first-letter, .failure .advice::first-letter { text-transform: uppercase; }
        """

    static let script = #"""
        'use strict';
        (function () {
          const token = document.querySelector('meta[name="counter-token"]').content;
          const S = JSON.parse(document.getElementById('strings').textContent);
          const $ = (id) => document.getElementById(id);
          let reportURL = null;
          let shownResult = null;
          let lastState = null;

          function el(tag, cls, text) {
            const e = document.createElement(tag);
            if (cls) e.className = cls;
            if (text !== undefined && text !== null) e.textContent = text;
            return e;
          }

          function clearKey() {
            for (const id of ['can', 'mrz', 'id', 'dob', 'doe']) $(id).value = '';
          }

          // Drops everything about the holder from the page: the DOM, the report's blob, the printing frame.
          function clearResult() {
            $('result').replaceChildren();
            if (reportURL) { URL.revokeObjectURL(reportURL); reportURL = null; }
            const frame = $('print-frame');
            if (frame) frame.remove();
            shownResult = null;
          }

          function post(path, body) {
            return fetch(path, {
              method: 'POST', cache: 'no-store', credentials: 'same-origin',
              headers: { 'Content-Type': 'application/json', 'X-Counter-Token': token },
              body: JSON.stringify(body || {}),
            });
          }

          function renderResult(r) {
            const box = $('result');
            box.replaceChildren();
            const banner = el('div', 'verdict ' + r.verdict);
            banner.id = 'verdict';
            banner.append(el('p', 'headline', r.headline));
            if (r.explanation) banner.append(el('p', 'explanation', r.explanation));
            box.append(banner);
            if (r.advice) box.append(el('p', 'advice', r.advice));

            const holder = el('div', 'holder');
            if (r.photo) {
              const img = el('img');
              img.id = 'photo';
              img.alt = S.photo;
              img.src = r.photo;
              holder.append(img);
            } else {
              holder.append(el('div', 'no-photo', r.photoNote || ''));
            }
            const fields = el('table', 'fields');
            fields.id = 'fields';
            for (const [label, value] of r.fields) {
              const tr = el('tr');
              tr.append(el('th', null, label), el('td', null, value));
              fields.append(tr);
            }
            holder.append(fields);
            box.append(holder);

            const checks = el('table', 'checks');
            const head = el('tr');
            head.append(el('th', null, S.check), el('th', null, S.status), el('th', null, S.reason));
            checks.append(head);
            for (const c of r.checks) {
              const tr = el('tr');
              const reason = el('td', null, c.reason);
              if (c.detail) reason.append(el('div', 'detail-line', c.detail));
              tr.append(el('th', null, c.name), el('td', c.status, c.statusText), reason);
              checks.append(tr);
            }
            box.append(el('h2', null, S.checks), checks);

            reportURL = URL.createObjectURL(new Blob([r.report], { type: 'text/html' }));
            const actions = el('p', 'actions');
            const print = el('button', null, S.print);
            print.type = 'button';
            print.id = 'print';
            print.onclick = () => {
              let frame = $('print-frame');
              if (!frame) {
                frame = el('iframe');
                frame.id = 'print-frame';
                frame.style.display = 'none';
                frame.onload = () => frame.contentWindow.print();
                frame.src = reportURL;
                document.body.append(frame);
              } else {
                frame.contentWindow.print();
              }
            };
            const save = el('a', 'button secondary', S.save);
            save.id = 'save';
            save.href = reportURL;
            save.download = r.reportName;
            const done = el('button', 'secondary', S.done);
            done.type = 'button';
            done.id = 'done';
            done.onclick = () => post('/clear');
            actions.append(print, save, done);
            box.append(actions, el('p', 'hint', S.removeToClear));
          }

          function render(v) {
            document.body.dataset.state = v.state;
            const list = $('readers');
            list.replaceChildren(...v.readers.map((r) => {
              const li = el('li', 'reader' + (r.card ? ' card' : '') + (r.name === v.reader ? ' current' : ''),
                r.name + ' — ' + (r.card ? S.cardIn : S.noCard));
              return li;
            }));
            $('status').textContent = v.status;

            if (v.state !== 'result' || (shownResult !== null && shownResult !== v.serial)) clearResult();
            if (v.state !== 'card') { clearKey(); $('key-error').textContent = ''; }
            $('key').hidden = v.state !== 'card';
            if (v.state === 'card' && lastState !== 'card') $('can').focus();

            $('progress').hidden = v.state !== 'reading';
            if (v.state === 'reading') {
              const bar = $('progress-bar');
              if (v.progress && v.progress.total > 0) {
                bar.max = v.progress.total;
                bar.value = v.progress.done;
                $('progress-text').textContent = v.progress.text;
              } else {
                bar.removeAttribute('value');
                $('progress-text').textContent = '';
              }
            }

            const failure = $('failure');
            failure.hidden = v.state !== 'failed';
            if (v.state === 'failed') {
              failure.querySelector('.what').textContent = v.failure.what;
              failure.querySelector('.advice').textContent = v.failure.advice || '';
              failure.querySelector('.detail').textContent = v.failure.detail;
              $('try-again').hidden = !v.cardIn;
            }

            $('result').hidden = v.state !== 'result';
            if (v.state === 'result' && shownResult === null) {
              renderResult(v.result);
              shownResult = v.serial;
            }
            lastState = v.state;
          }

          $('key-form').addEventListener('submit', async (event) => {
            event.preventDefault();
            $('key-error').textContent = '';
            const body = {};
            for (const id of ['can', 'mrz', 'id', 'dob', 'doe']) {
              const value = $(id).value.trim();
              if (value) body[id] = value;
            }
            try {
              const response = await post('/read', body);
              if (!response.ok) {
                const answer = await response.json().catch(() => ({}));
                $('key-error').textContent = answer.error || String(response.status);
              }
            } catch (e) {
              $('key-error').textContent = String(e);
            }
          });
          $('try-again').addEventListener('click', () => post('/clear'));

          function connect() {
            const events = new EventSource('/events');
            events.onopen = () => { $('disconnected').hidden = true; };
            events.onmessage = (message) => render(JSON.parse(message.data));
            events.onerror = () => {
              // The program went away or restarted: what it showed may no longer hold.
              $('disconnected').hidden = false;
              clearResult();
            };
          }
          window.addEventListener('pagehide', clearResult);
          connect();
        })();
        """#
}
