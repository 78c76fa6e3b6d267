/// The page `GET /` serves: the live control plane as the units it follows see it (units by
/// tier, their channels and each channel's state, the services each hosts) and each tier-1
/// unit's domain (switches, links, hosts), redrawn from `/ui/events` as they change. One file,
/// no build step, nothing fetched from elsewhere.
enum WebPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Echelon control plane</title>
        <link rel="icon" href="data:,">
        <style>
          body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
          header { background: #243447; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: baseline; }
          header h1 { font-size: 18px; margin: 0; }
          header small { opacity: .8; }
          main { padding: 12px 16px; }
          section { background: #fff; border: 1px solid #ddd; border-radius: 6px; margin-bottom: 14px; padding: 8px 12px; }
          h2 { font-size: 15px; margin: 4px 0 8px; }
          svg { width: 100%; background: #fff; }
          .unit rect { fill: #eef6ee; stroke: #2e7d32; stroke-width: 2; }
          .unit.down rect { fill: #fdecea; stroke: #c62828; }
          .unit.unknown rect { fill: #f1f1f1; stroke: #888; stroke-dasharray: 4 3; }
          .unit text { font-size: 12px; }
          .unit .name { font-weight: 600; font-size: 13px; }
          .channel { stroke: #2e7d32; stroke-width: 2; }
          .channel.broken { stroke: #c62828; stroke-dasharray: 6 4; }
          .channel-label { font-size: 11px; fill: #c62828; }
          .switch circle { fill: #e3f2fd; stroke: #1565c0; stroke-width: 2; }
          .switch text, .host text { font-size: 11px; }
          .link { stroke: #1565c0; stroke-width: 2; }
          .link.offtree { stroke-dasharray: 5 4; stroke: #90a4ae; }
          .link.suppressed { stroke: #c62828; }
          .host rect { fill: #fff8e1; stroke: #f9a825; }
          .attach { stroke: #f9a825; }
          table { border-collapse: collapse; font-size: 12px; margin-top: 6px; }
          td, th { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left; }
          .state-up { color: #2e7d32; } .state-down { color: #c62828; } .state-unknown { color: #888; }
          .empty { color: #888; font-style: italic; }
        </style>
        </head>
        <body>
        <header><h1>Echelon control plane</h1><small id="sources"></small><small id="updated"></small></header>
        <main>
          <section><h2>Units by tier</h2><svg id="plane" role="img" aria-label="units and channels"></svg>
            <table id="channels"><thead><tr><th>unit</th><th>neighbour</th><th>relation</th><th>state</th></tr></thead><tbody></tbody></table>
          </section>
          <div id="domains"></div>
        </main>
        <script>
        "use strict";
        // Every unit this page follows: the one that served it, and any named in ?units=host:port,...
        const params = new URLSearchParams(location.search);
        const addresses = [location.host].concat((params.get("units") || "").split(",").map(s => s.trim())
          .filter(s => s && s !== location.host));
        const followed = new Map();
        document.getElementById("sources").textContent = "following " + addresses.join(", ");

        // A unit whose admin API wants a token (admin.token) is given it in the page's fragment,
        // #token=..., which the browser never sends anywhere; it goes in each request's header.
        const token = new URLSearchParams(location.hash.slice(1)).get("token");
        for (const address of addresses) {
          const entry = { address, up: false, state: null };
          followed.set(address, entry);
          const url = "http://" + address + "/ui/events";
          if (token) { stream(url, entry); continue; }
          // EventSource reconnects by itself; while the unit is gone each attempt fails and it stays down.
          const events = new EventSource(url);
          events.onopen = () => { entry.up = true; render(); };
          events.onmessage = message => { entry.state = JSON.parse(message.data); entry.up = true; render(); };
          events.onerror = () => { entry.up = false; render(); };
        }

        // The event stream read with fetch, which can send the token (EventSource cannot), and
        // opened again a second after it ends, as EventSource would.
        async function stream(url, entry) {
          for (;;) {
            try {
              const response = await fetch(url, { headers: { "Authorization": "Bearer " + token } });
              if (!response.ok) throw new Error("HTTP " + response.status);
              entry.up = true; render();
              const reader = response.body.getReader();
              const decoder = new TextDecoder();
              let buffered = "";
              for (;;) {
                const { value, done } = await reader.read();
                if (done) break;
                buffered += decoder.decode(value, { stream: true });
                let end;
                while ((end = buffered.indexOf("\n\n")) >= 0) {
                  const event = buffered.slice(0, end);
                  buffered = buffered.slice(end + 2);
                  if (event.startsWith("data: ")) { entry.state = JSON.parse(event.slice(6)); render(); }
                }
              }
            } catch (error) { }
            entry.up = false; render();
            await new Promise(resolve => setTimeout(resolve, 1000));
          }
        }

        const svgNS = "http://www.w3.org/2000/svg";
        function el(name, attributes, parent, text) {
          const node = document.createElementNS(svgNS, name);
          for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
          if (text !== undefined) node.textContent = text;
          if (parent) parent.appendChild(node);
          return node;
        }

        // The units known to the page: those it follows (up or down) and every neighbour they name.
        function collectUnits() {
          const units = new Map();
          for (const entry of followed.values()) {
            if (!entry.state) continue;
            const u = entry.state.unit;
            const services = entry.state.routes.filter(r => r.relation === "local").map(r => r.service || ("sid " + r.sid));
            units.set(u.name, { name: u.name, uid: u.uid, tier: u.tier, state: entry.up ? "up" : "down", services,
              address: entry.address });
          }
          for (const entry of followed.values()) {
            if (!entry.state) continue;
            for (const channel of entry.state.channels) {
              if (units.has(channel.name)) continue;
              units.set(channel.name, { name: channel.name, uid: channel.uid, tier: channel.tier, state: "unknown", services: [] });
            }
          }
          // Where the routes say a service lives, for units the page does not follow.
          for (const entry of followed.values()) {
            if (!entry.state) continue;
            for (const route of entry.state.routes) {
              if (route.relation === "local") continue;
              const host = [...units.values()].find(u => u.uid === route.origin);
              const name = route.service || ("sid " + route.sid);
              if (host && host.state === "unknown" && !host.services.includes(name)) host.services.push(name);
            }
          }
          return units;
        }

        // A channel as its ends report it: a unit that is up reports its side; the worse report wins.
        // Only when no end that reports it is up is it unknown.
        function collectChannels(units) {
          const channels = new Map();
          for (const entry of followed.values()) {
            if (!entry.state) continue;
            const from = entry.state.unit.name;
            for (const channel of entry.state.channels) {
              const key = [from, channel.name].sort().join("|");
              const known = channels.get(key) || { key, a: from, b: channel.name, relation: channel.relation, reports: [] };
              known.reports.push({ up: entry.up, state: channel.state, from });
              channels.set(key, known);
            }
          }
          for (const channel of channels.values()) {
            const live = channel.reports.filter(r => r.up);
            const broken = live.find(r => r.state !== "established");
            channel.state = live.length === 0 ? "unknown: " + channel.reports.map(r => r.from).join(", ") + " down"
              : broken ? broken.state : "established";
          }
          return [...channels.values()].filter(c => units.has(c.a) && units.has(c.b));
        }

        function renderPlane(units, channels) {
          const svg = document.getElementById("plane");
          svg.replaceChildren();
          const tiers = [...new Set([...units.values()].map(u => u.tier || 1))].sort((a, b) => b - a);
          const boxW = 170, boxH = 64, gapX = 40, rowH = 120;
          const byTier = tiers.map(t => [...units.values()].filter(u => (u.tier || 1) === t).sort((a, b) => a.name.localeCompare(b.name)));
          const width = Math.max(600, ...byTier.map(row => row.length * (boxW + gapX) + gapX));
          svg.setAttribute("viewBox", "0 0 " + width + " " + (tiers.length * rowH + 20));
          svg.style.height = (tiers.length * rowH + 20) + "px";
          const position = new Map();
          byTier.forEach((row, r) => row.forEach((u, i) => {
            const offset = (width - row.length * (boxW + gapX) + gapX) / 2;
            position.set(u.name, { x: offset + i * (boxW + gapX), y: 20 + r * rowH });
          }));
          for (const c of channels) {
            const p = position.get(c.a), q = position.get(c.b);
            const broken = c.state !== "established";
            el("line", { class: "channel" + (broken ? " broken" : ""), "data-channel": c.key, "data-state": c.state,
              x1: p.x + boxW / 2, y1: p.y + boxH / 2, x2: q.x + boxW / 2, y2: q.y + boxH / 2 }, svg);
            // The line says what state; the table below says why.
            if (broken) el("text", { class: "channel-label", x: (p.x + q.x + boxW) / 2 + 4, y: (p.y + q.y + boxH) / 2 - 4 }, svg, c.state.split(":")[0]);
          }
          for (const u of units.values()) {
            const p = position.get(u.name);
            const g = el("g", { class: "unit " + u.state, "data-unit": u.name, "data-state": u.state,
              transform: "translate(" + p.x + "," + p.y + ")" }, svg);
            el("rect", { width: boxW, height: boxH, rx: 6 }, g);
            el("text", { class: "name", x: 8, y: 18 }, g, u.name + (u.uid !== undefined && u.uid !== null ? "  (u" + u.uid + ")" : ""));
            el("text", { x: 8, y: 34 }, g, "tier " + (u.tier || "?") + " · " + u.state);
            el("text", { x: 8, y: 52, "data-services": u.services.join(",") }, g, u.services.length ? u.services.join(", ") : "no services");
          }
          const body = document.querySelector("#channels tbody");
          body.replaceChildren();
          for (const entry of followed.values()) {
            if (!entry.state) continue;
            for (const channel of entry.state.channels) {
              const row = body.insertRow();
              row.insertCell().textContent = entry.state.unit.name;
              row.insertCell().textContent = channel.name;
              row.insertCell().textContent = channel.relation;
              const cell = row.insertCell();
              cell.textContent = entry.up ? channel.state : "? (" + entry.state.unit.name + " is down)";
              cell.className = entry.up && channel.state === "established" ? "state-up" : "state-down";
            }
          }
        }

        function renderDomain(container, entry) {
          const state = entry.state, topology = state.topology;
          const section = document.createElement("section");
          section.dataset.domain = state.unit.name;
          const title = document.createElement("h2");
          title.textContent = "Domain of " + state.unit.name + (entry.up ? "" : " (unit down: last known)");
          section.appendChild(title);
          if (topology.switches.length === 0) {
            const empty = document.createElement("p");
            empty.className = "empty";
            empty.textContent = "no switches";
            section.appendChild(empty);
            container.appendChild(section);
            return;
          }
          const svg = el("svg", { role: "img", "aria-label": "switches, links and hosts" }, section);
          const size = 420, center = size / 2, radius = topology.switches.length > 1 ? 130 : 0;
          svg.setAttribute("viewBox", "0 0 " + size + " " + size);
          svg.style.height = size + "px";
          svg.style.width = size + "px";
          const position = new Map();
          topology.switches.forEach((dpid, i) => {
            const angle = 2 * Math.PI * i / topology.switches.length - Math.PI / 2;
            position.set(dpid, { x: center + radius * Math.cos(angle), y: center + radius * Math.sin(angle), angle });
          });
          const switchOf = port => port.split(":")[0];
          for (const link of topology.links) {
            const p = position.get(switchOf(link.a)), q = position.get(switchOf(link.b));
            if (!p || !q) continue;
            el("line", { class: "link" + (link.tree ? "" : " offtree") + (link.suppressed ? " suppressed" : ""),
              "data-link": link.a + "|" + link.b, x1: p.x, y1: p.y, x2: q.x, y2: q.y }, svg);
          }
          const hostsPer = new Map();
          for (const host of topology.hosts) {
            const dpid = switchOf(host.port), p = position.get(dpid);
            if (!p) continue;
            const n = hostsPer.get(dpid) || 0;
            hostsPer.set(dpid, n + 1);
            const angle = p.angle + (n - 0.5) * 0.45, reach = radius ? 62 : 90;
            const x = p.x + reach * Math.cos(angle), y = p.y + reach * Math.sin(angle);
            el("line", { class: "attach", x1: p.x, y1: p.y, x2: x, y2: y }, svg);
            const g = el("g", { class: "host", "data-host": host.mac, transform: "translate(" + x + "," + y + ")" }, svg);
            el("rect", { x: -28, y: -9, width: 56, height: 18, rx: 3 }, g);
            el("text", { x: -25, y: 4 }, g, host.ipv4 || host.mac.slice(-8));
          }
          for (const [dpid, p] of position) {
            const g = el("g", { class: "switch", "data-switch": dpid, transform: "translate(" + p.x + "," + p.y + ")" }, svg);
            el("circle", { r: 20 }, g);
            el("text", { x: -14, y: 4 }, g, "s" + parseInt(dpid, 16));
          }
          const table = document.createElement("table");
          table.innerHTML = "<thead><tr><th>host</th><th>IPv4</th><th>attached at</th></tr></thead>";
          const body = table.createTBody();
          for (const host of topology.hosts) {
            const row = body.insertRow();
            row.insertCell().textContent = host.mac;
            row.insertCell().textContent = host.ipv4 || "";
            row.insertCell().textContent = host.port;
          }
          section.appendChild(table);
          container.appendChild(section);
        }

        function render() {
          const units = collectUnits();
          renderPlane(units, collectChannels(units));
          const domains = document.getElementById("domains");
          domains.replaceChildren();
          for (const entry of followed.values()) {
            if (entry.state && entry.state.unit.tier === 1) renderDomain(domains, entry);
          }
          document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
        }
        </script>
        </body>
        </html>
        """#
}
