"""The household register (实有人口), grids and grid workers, verified homes, visits: what a street office
needs to put a real community on the bot."""
