"""One module per page (or page family), each with the state it uses beside it in state/."""
