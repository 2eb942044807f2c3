"""报修 and 投诉: repair reports, complaints and neighbour disputes, from the first message to the rating."""
