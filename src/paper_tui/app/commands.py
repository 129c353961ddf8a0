"""Command palette (Ctrl+P): every bound action of the main screen, and papers by title.

Actions come from the bindings (the same source as the help screen), so a key
added by another module shows up here too.  Papers are looked up with the search
engine's fast first results, so the palette stays quick at a million papers.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

#: Papers offered per palette query.
PAPER_HITS = 12


class PaperCommands(Provider):
    """Actions and papers."""

    def _main(self) -> Any:
        from paper_tui.app.screens.main import MainScreen

        return next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)

    def _actions(self) -> list[tuple[str, str, str, Any]]:
        """(description, keys, action, node to run it on) for every described binding."""
        from paper_tui.app.screens.help import binding_rows

        main = self._main()
        if main is None:
            return []
        targets = {
            "Everywhere": self.app,
            "Main screen": main,
            "Paper list": main.paper_list,
            "Reading pane": main.reading_pane,
        }
        actions = []
        for heading, rows in binding_rows(self.app):
            node = targets.get(heading)
            if node is None:
                continue
            for keys, description, _ident, action in rows:
                if description:
                    actions.append((description, keys, action, node))
        return actions

    async def discover(self) -> Hits:
        for description, keys, action, node in self._actions():
            yield DiscoveryHit(description, partial(self._run, node, action), help=f"key: {keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, keys, action, node in self._actions():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), partial(self._run, node, action), help=keys)
        main = self._main()
        if main is None or len(query.strip()) < 2:
            return
        result = main.engine.first_results(query, PAPER_HITS)
        for rank, position in enumerate(result.positions[:PAPER_HITS]):
            title = main.corpus.title(position)
            yield Hit(
                0.5 - rank / 100,
                Text(title),
                partial(main.go_to_paper, position),
                text=title,
                help="paper",
            )

    async def _run(self, node: Any, action: str) -> None:
        await node.run_action(action)
