import Foundation
import Inspection
import Messages

/// The dashboard page: HTML, style and script served by the station (no external resource).
enum DashboardPage {
    static func html(_ m: Messages) -> String {
        let e = HTMLReport.escape
        let strings: [String: String] = ["none": m[.dashboardNone]]
        let json = String(decoding: (try? JSONEncoder().encode(strings)) ?? Data("{}".utf8), as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
        return """
            <!DOCTYPE html>
            <html lang="\(m.language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(m[.dashboardTitle]))</title>
            <link rel="stylesheet" href="/dashboard.css">
            <script src="/dashboard.js" defer></script>
            </head>
            <body>
            <header><h1>\(e(m[.dashboardTitle]))</h1></header>
            <main>
              <p id="disconnected" class="disconnected" hidden>\(e(m[.dashboardDisconnected]))</p>
              <section class="figures">
                <div class="figure"><span id="per-minute" class="big">0</span><span>\(e(m[.dashboardCardsPerMinute])) (\(e(m[.dashboardLastMinute])))</span></div>
                <div class="figure"><span id="total" class="big">0</span><span>\(e(m[.dashboardTotal]))</span></div>
                <div class="figure passed"><span id="passed" class="big">0</span><span>\(e(m[.dashboardPassed]))</span></div>
                <div class="figure failed"><span id="failed" class="big">0</span><span>\(e(m[.dashboardFailed]))</span></div>
              </section>
              <section>
                <h2>\(e(m[.dashboardReaders]))</h2>
                <table id="readers"><thead><tr><th>\(e(m[.dashboardReader]))</th><th>\(e(m[.dashboardState]))</th><th>\(e(m[.dashboardCard]))</th></tr></thead><tbody></tbody></table>
              </section>
              <section class="two">
                <div><h2>\(e(m[.dashboardReasons]))</h2><table id="reasons"><tbody></tbody></table></div>
                <div><h2>\(e(m[.dashboardLastFailures]))</h2>
                  <table id="failures"><thead><tr><th>\(e(m[.dashboardTime]))</th><th>\(e(m[.dashboardReader]))</th><th>\(e(m[.dashboardCard]))</th><th>\(e(m[.reason]))</th></tr></thead><tbody></tbody></table></div>
              </section>
            </main>
            <script type="application/json" id="strings">\(json)</script>
            </body>
            </html>

            """
    }

    static let style = """
        * { box-sizing: border-box; }
        body { margin: 0; font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; font-size: 17px; background: #f4f5f7; color: #1d1d1f; }
        header { background: #12355b; color: #fff; padding: .6em 1.2em; }
        header h1 { margin: 0; font-size: 1.4em; }
        main { max-width: 1200px; margin: 1em auto; padding: 0 1em; }
        .figures { display: flex; gap: 1em; flex-wrap: wrap; }
        .figure { background: #fff; border-radius: .5em; padding: .8em 1.2em; min-width: 11em; box-shadow: 0 1px 3px rgba(0,0,0,.15); display: flex; flex-direction: column; }
        .figure .big { font-size: 2.6em; font-weight: 800; }
        .figure.passed .big { color: #1b7f3b; }
        .figure.failed .big { color: #b3261e; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #ddd; }
        td.state { font-weight: 700; }
        tr.waiting td.state { color: #555; }
        tr.reading td.state { color: #12355b; }
        tr.passed td.state { color: #1b7f3b; }
        tr.failed td.state, tr.lost td.state, tr.no-record td.state { color: #b3261e; }
        .two { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
        .disconnected { background: #fff3cd; border: 1px solid #b26a00; padding: .5em 1em; }
        .mono { font-family: "DejaVu Sans Mono", monospace; }
        """

    static let script = #"""
        'use strict';
        (function () {
          const S = JSON.parse(document.getElementById('strings').textContent);
          const $ = (id) => document.getElementById(id);
          function el(tag, cls, text) {
            const e = document.createElement(tag);
            if (cls) e.className = cls;
            if (text !== undefined && text !== null) e.textContent = text;
            return e;
          }
          function rows(tbody, list, make) {
            tbody.replaceChildren(...(list.length ? list.map(make) : [(() => { const tr = el('tr'); tr.append(el('td', null, S.none)); return tr; })()]));
          }
          function render(v) {
            $('per-minute').textContent = String(v.perMinuteLastMinute);
            $('total').textContent = String(v.total);
            $('passed').textContent = String(v.passed);
            $('failed').textContent = String(v.failed);
            rows($('readers').querySelector('tbody'), v.readers, (r) => {
              const tr = el('tr', r.state);
              tr.dataset.reader = r.name;
              tr.append(el('td', null, r.name), el('td', 'state', r.stateText), el('td', 'mono', r.recordID));
              return tr;
            });
            rows($('reasons').querySelector('tbody'), v.reasons, ([code, count, text]) => {
              const tr = el('tr');
              tr.append(el('td', 'mono', code), el('td', null, count), el('td', null, text));
              return tr;
            });
            rows($('failures').querySelector('tbody'), v.lastFailures, (f) => {
              const tr = el('tr');
              tr.append(el('td', null, f.time), el('td', null, f.reader), el('td', 'mono', f.recordID), el('td', 'mono', f.reasons || f.verdict));
              return tr;
            });
          }
          const events = new EventSource('/events');
          events.onopen = () => { $('disconnected').hidden = true; };
          events.onmessage = (message) => render(JSON.parse(message.data));
          events.onerror = () => { $('disconnected').hidden = false; };
        })();
        """#
}
