"""Figures: 办结率, 满意度, 参与率, 志愿者 and the rest, counted in SQL for a community or a street office."""
