"""微心愿: a resident's small wish, reviewed, put on the board, claimed, fulfilled, confirmed and recorded."""
