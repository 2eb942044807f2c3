"""议事协商: consultations launched by the committee, ballots by person or household, sealed until the close,
then counted, published with a digest of the ballot log, and pushed to those who took part."""
