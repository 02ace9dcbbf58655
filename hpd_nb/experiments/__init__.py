"Experiments: the runs behind the committed results, built on the library (`hpd_nb`); nothing in the library imports them."
