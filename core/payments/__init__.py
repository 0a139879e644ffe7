"""The customer's payments timeline: what each plugin took or gave back, from Tollgate's own tables."""
