"""``attncore report``: what Q16.16 loses against float per kernel and input
family, and how fast attncore is against its peers.  Built on the public
API and attncore.reference, plus the baselines of what naive firmware does
(attncore.report.baselines)."""
