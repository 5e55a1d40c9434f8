SET NOCOUNT ON
GO
INSERT [dbo].[Customers] ([Id], [Name], [Email], [Phone], [Country]) VALUES (1, N'O''Brien Ltd', N'info@obrien.co.uk', N'020 7946 0321', N'GB')
GO
INSERT [dbo].[Users] ([Id], [Contact], [PasswordHash]) VALUES (2, N'Seán Ó Briain', N'$2b$12$abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij')
GO
