COPY public.contacts (id, full_name, email, mobile, country) FROM stdin;
1	Léa Dubois	lea.dubois@fabrikam.fr	06 12 34 56 78	FR
2	\N	user@localhost	\N	FR
\.
